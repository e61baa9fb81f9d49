#!/usr/bin/env python3
"""openapi.json stays true.

    check_openapi.py BASE_URL REPO

- every row of the endpoint table (lg/lg_api.c) is a documented path, and
  every documented path is a row;
- every documented path answers: with its required parameters, with each
  optional one (its example, plus what x-requires names), with all of them;
  each answer is valid against the documented schema, whose objects are
  closed (additionalProperties: false), so an undocumented field fails too;
- every parameter refuses a malformed value with a 400 naming it, and an
  unknown parameter is refused the same way;
- docs/api.md names every path and every parameter.
"""
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

BASE = sys.argv[1].rstrip("/")
REPO = sys.argv[2]
failed = 0
checks = 0


def fail(msg):
    global failed
    failed += 1
    print("FAIL " + msg)


def fetch(path, stream=False):
    """A stream (text/event-stream) is not read to its end, which never
    comes: its first bytes are checked for an SSE line instead."""
    try:
        if stream:
            with urllib.request.urlopen(BASE + path, timeout=60) as r:
                ctype = r.headers.get("Content-Type", "")
                if ctype.startswith("text/event-stream"):
                    return r.status, ctype, r.readline()
                return r.status, ctype, r.read()
        with urllib.request.urlopen(BASE + path, timeout=60) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


class Validator:
    """The part of JSON Schema the document uses."""

    def __init__(self, doc):
        self.doc = doc

    def resolve(self, ref):
        node = self.doc
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        return node

    def errors(self, schema, v, where="$"):
        if "$ref" in schema:
            return self.errors(self.resolve(schema["$ref"]), v, where)
        if "oneOf" in schema:
            ok = [s for s in schema["oneOf"] if not self.errors(s, v, where)]
            return [] if len(ok) == 1 else \
                ["%s: matches %d of oneOf" % (where, len(ok))]
        t = schema.get("type")
        types = {"string": str, "integer": int, "number": (int, float),
                 "boolean": bool, "array": list, "object": dict,
                 "null": type(None)}
        if t is not None:
            if isinstance(v, bool) and t in ("integer", "number"):
                return ["%s: boolean for %s" % (where, t)]
            if not isinstance(v, types[t]):
                return ["%s: %s is not %s" % (where, type(v).__name__, t)]
        if "enum" in schema and v not in schema["enum"]:
            return ["%s: %r not in enum" % (where, v)]
        errs = []
        if isinstance(v, dict):
            props = schema.get("properties", {})
            for k in schema.get("required", []):
                if k not in v:
                    errs.append("%s: missing %s" % (where, k))
            extra = schema.get("additionalProperties", True)
            for k, x in v.items():
                if k in props:
                    errs += self.errors(props[k], x, where + "." + k)
                elif extra is False:
                    errs.append("%s: undocumented field %s" % (where, k))
                elif isinstance(extra, dict):
                    errs += self.errors(extra, x, where + "." + k)
        if isinstance(v, list) and "items" in schema:
            for i, x in enumerate(v[:50]):
                errs += self.errors(schema["items"], x, "%s[%d]" % (where, i))
        return errs


def table_paths():
    src = open(REPO + "/lg/lg_api.c").read()
    table = src[src.index("const struct endpoint lg_endpoints[]"):]
    table = table[:table.index("};")]
    return re.findall(r'^\t\{ "([^"]+)", \w+,', table, re.M)


def call(val, path, op, params, expect=200, extra=None):
    """Request path with params ({parameter: value}) and extra query
    arguments; check the status and that the answer is as documented."""
    global checks
    checks += 1
    url, qs = path, dict(extra or {})
    for p, v in params.items():
        if p["in"] == "path":
            url = url.replace("{%s}" % p["name"], urllib.parse.quote(v))
        else:
            qs[p["name"]] = v
    if qs:
        url += "?" + urllib.parse.urlencode(qs)
    ok_mt = next(iter(op["responses"]["200"]["content"]))
    status, ctype, body = fetch(url, stream=ok_mt == "text/event-stream")
    if expect == 200 and status == 404 and "404" in op["responses"] and \
            any(p["in"] == "path" for p in params):
        expect = 404        # the example names no object here: allowed
    if status != expect:
        fail("%s: %d, want %d: %s" % (url, status, expect, body[:200]))
        return None
    resp = op["responses"].get(str(status))
    if resp is None:
        fail("%s: status %d not documented" % (url, status))
        return None
    # One media type, or several for a download (by its compression).
    mts = [m for m in resp["content"] if ctype.startswith(m)]
    if not mts:
        fail("%s: Content-Type %s, documented %s" %
             (url, ctype, list(resp["content"])))
        return None
    mt = mts[0]
    if mt == "text/event-stream":
        if not re.match(rb"(:|data:|id:|retry:|event:)", body):
            fail("%s: not an event stream: %r" % (url, body[:80]))
        return None
    content = resp["content"][mt]
    if content["schema"].get("format") == "binary":
        return body
    doc = body.decode() if mt.startswith("text/") else json.loads(body)
    errs = val.errors(content["schema"], doc)
    if errs:
        fail("%s: %s" % (url, "; ".join(errs[:5])))
    return doc


BAD = "x("      # refused by every kind of parameter


def check_operation(val, path, op):
    params = op["parameters"]
    by_name = {p["name"]: p for p in params}
    required = {p: p["example"] for p in params if p.get("required")}
    call(val, path, op, required)
    everything = dict(required)
    for p in params:
        if p.get("required"):
            continue
        args = dict(required)
        for n in p.get("x-requires", []):
            args[by_name[n]] = by_name[n]["example"]
        args[p] = p["example"]
        call(val, path, op, args)
        everything[p] = p["example"]
    if len(everything) > len(required):
        call(val, path, op, everything)
    for p in params:
        doc = call(val, path, op, dict(required) | {p: BAD},
                   expect=400)
        if doc is not None and doc.get("parameter") != p["name"]:
            fail("%s %s=%s: 400 names %r" % (path, p["name"], BAD,
                                             doc.get("parameter")))
    doc = call(val, path, op, required, expect=400, extra={"bogus": "1"})
    if doc is not None and doc.get("parameter") != "bogus":
        fail("%s?bogus=1: 400 names %r" % (path, doc.get("parameter")))


class P(dict):
    """A parameter object usable as a dict key."""
    def __hash__(self):
        return hash((self["name"], self["in"]))


def main():
    status, ctype, body = fetch("/api/v1/openapi.json")
    if status != 200 or not ctype.startswith("application/json"):
        print("FAIL openapi.json: %d %s" % (status, ctype))
        sys.exit(1)
    doc = json.loads(body)
    for op_path in doc["paths"].values():
        for op in op_path.values():
            op["parameters"] = [P(p) for p in op.get("parameters", [])]
    val = Validator(doc)
    if not doc.get("openapi", "").startswith("3."):
        fail("not an OpenAPI 3 document")
    table = table_paths()
    documented = list(doc["paths"])
    if sorted(table) != sorted(documented):
        fail("endpoint table %s != documented %s" % (table, documented))
    else:
        print("ok   %d endpoints, each documented" % len(table))
    api_md = open(REPO + "/docs/api.md").read()
    for path, item in doc["paths"].items():
        if set(item) != {"get"}:
            fail("%s: methods %s, only get expected" % (path, list(item)))
        op = item["get"]
        n0 = failed
        check_operation(val, path, op)
        if "`%s`" % path not in api_md and path not in api_md:
            fail("docs/api.md does not mention %s" % path)
        for p in op["parameters"]:
            if "`%s`" % p["name"] not in api_md:
                fail("docs/api.md does not mention parameter %s of %s" %
                     (p["name"], path))
        if failed == n0:
            print("ok   %s: %d parameters, answers as documented" %
                  (path, len(op["parameters"])))
    print("%s: %d requests, %d failed" % (sys.argv[0], checks, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
