/*
 * lg_openapi.c -- /api/v1/openapi.json, generated from the endpoint table.
 *
 * Paths and parameters come from the very rows requests are validated
 * against (lg_api.c), so the description cannot drift from what the
 * server accepts; answers come from the field tables beside them, which
 * tests/integration/lg_api.sh holds to what the handlers really send
 * (every object closed with additionalProperties: false).  OpenAPI 3.1,
 * whose schemas are JSON Schema: null is a type like any other.
 */
#include <stdio.h>
#include <string.h>

#include "lg_int.h"

static json_t	*fields_schema(json_t *comps, const struct field *);

static const char *
ftype_name(enum ftype t)
{
	switch (t) {
	case F_STR:
	case F_TEXT:
		return ("string");
	case F_INT:
		return ("integer");
	case F_NUM:
		return ("number");
	case F_BOOL:
		return ("boolean");
	case F_ARR:
		return ("array");
	default:
		return ("object");
	}
}

/* The schema of an object field's content: a $ref when it is shared. */
static json_t *
object_schema(json_t *comps, const struct field *f)
{
	if (f->ref == NULL)
		return (fields_schema(comps, f->sub));
	if (json_object_get(comps, f->ref) == NULL)
		json_object_set_new(comps, f->ref, fields_schema(comps,
		    f->sub));
	return (json_pack("{s:s+}", "$ref", "#/components/schemas/",
	    f->ref));
}

static json_t *
field_schema(json_t *comps, const struct field *f)
{
	json_t *s;

	switch (f->type) {
	case F_OBJ:
		s = object_schema(comps, f);
		break;
	case F_ARR:
		s = json_pack("{s:s, s:o}", "type", "array", "items",
		    f->sub != NULL ? object_schema(comps, f) :
		    json_pack("{s:s}", "type", ftype_name(f->atype)));
		break;
	case F_MAP:
		s = json_pack("{s:s, s:{s:s}}", "type", "object",
		    "additionalProperties", "type", "string");
		break;
	default:
		s = json_pack("{s:s}", "type", ftype_name(f->type));
		break;
	}
	if (f->flags & FL_NULL)
		s = json_pack("{s:[o, {s:s}]}", "oneOf", s, "type", "null");
	json_object_set_new(s, "description", json_string(f->desc));
	return (s);
}

static json_t *
fields_schema(json_t *comps, const struct field *fs)
{
	json_t	*props = json_object(), *req = json_array();

	for (; fs->name != NULL; fs++) {
		json_object_set_new(props, fs->name, field_schema(comps, fs));
		if (!(fs->flags & FL_OPT))
			json_array_append_new(req, json_string(fs->name));
	}
	return (json_pack("{s:s, s:o, s:o, s:b}", "type", "object",
	    "properties", props, "required", req,
	    "additionalProperties", 0));
}

static json_t *
enum_list(const char *list)
{
	json_t		*a = json_array();
	const char	*p = list, *bar;

	while (p != NULL && *p != '\0') {
		bar = strchr(p, '|');
		json_array_append_new(a, json_stringn(p, bar ? (size_t)(bar -
		    p) : strlen(p)));
		p = bar ? bar + 1 : NULL;
	}
	return (a);
}

static json_t *
param_schema(const struct pdesc *d)
{
	switch (d->type) {
	case P_UINT:
		return (json_pack("{s:s, s:I, s:I}", "type", "integer",
		    "minimum", (json_int_t)d->min, "maximum", (json_int_t)
		    (d->max ? d->max : UINT32_MAX)));
	case P_ASN:
		return (json_pack("{s:s, s:s}", "type", "string", "pattern",
		    "^([Aa][Ss])?[0-9]+$"));
	case P_TIME:
		return (json_pack("{s:s, s:i}", "type", "number", "minimum",
		    0));
	case P_ENUM:
		return (json_pack("{s:s, s:o}", "type", "string", "enum",
		    enum_list(d->enums)));
	case P_COMMUNITY:
		return (json_pack("{s:s, s:s}", "type", "string", "pattern",
		    "^[0-9]+:[0-9]+$"));
	case P_LARGE:
		return (json_pack("{s:s, s:s}", "type", "string", "pattern",
		    "^[0-9]+:[0-9]+:[0-9]+$"));
	case P_REGEX:
		return (json_pack("{s:s, s:i}", "type", "string", "maxLength",
		    256));
	case P_BOOL:
		return (json_pack("{s:s}", "type", "boolean"));
	case P_FILENAME:
		return (json_pack("{s:s, s:s}", "type", "string", "pattern",
		    "^[A-Za-z0-9_-][A-Za-z0-9._-]{0,62}$"));
	default:
		return (json_pack("{s:s}", "type", "string"));
	}
}

static json_t *
params_json(const struct pdesc *ps)
{
	json_t	*a = json_array(), *p;

	for (; ps->name != NULL; ps++) {
		p = json_pack("{s:s, s:s, s:b, s:s, s:o, s:s}",
		    "name", ps->name,
		    "in", (ps->flags & PD_PATH) ? "path" : "query",
		    "required", (ps->flags & PD_REQUIRED) != 0,
		    "description", ps->desc,
		    "schema", param_schema(ps),
		    "example", ps->example);
		if (ps->needs != NULL)
			json_object_set_new(p, "x-requires", json_pack("[s]",
			    ps->needs));
		json_array_append_new(a, p);
	}
	return (a);
}

static json_t *
error_response(const char *desc)
{
	return (json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", desc,
	    "content", "application/json", "schema", "$ref",
	    "#/components/schemas/Error"));
}

/* A download: its bytes, under the media type of its compression. */
static json_t *
file_response(const struct field *f)
{
	static const char *const types[] = { "application/x-bzip2",
	    "application/gzip", "application/octet-stream" };
	json_t	*c = json_object();
	size_t	 i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		json_object_set_new(c, types[i], json_pack("{s:{s:s, s:s}}",
		    "schema", "type", "string", "format", "binary"));
	return (json_pack("{s:s, s:o}", "description", f->desc, "content",
	    c));
}

static json_t *
ok_response(json_t *comps, const struct endpoint *ep)
{
	const struct field	*f = ep->resp;
	json_t			*schema;
	const char		*ctype = "application/json";

	if (f->type == F_FILE)
		return (file_response(f));
	if (f->type == F_TEXT) {
		ctype = "text/plain";
		schema = json_pack("{s:s}", "type", "string");
	} else if (f->type == F_SSE) {
		ctype = "text/event-stream";
		schema = json_pack("{s:s, s:s}", "type", "string",
		    "description", f->desc);
	} else if (f->type == F_ANY)
		schema = json_pack("{s:s}", "type", "object");
	else
		schema = fields_schema(comps, f);
	return (json_pack("{s:s, s:{s:{s:o}}}", "description", ep->summary,
	    "content", ctype, "schema", schema));
}

/* "/api/v1/asn/{asn}" -> "asn", "/api/v1/openapi.json" -> "openapi". */
static json_t *
operation_id(const char *path)
{
	const char	*s = path, *p;
	size_t		 n;

	for (p = path; *p != '\0'; p++)
		if (*p == '/' && p[1] != '{' && p[1] != '\0')
			s = p + 1;
	for (n = 0; s[n] != '\0' && s[n] != '/' && s[n] != '.'; n++)
		;
	return (json_stringn(s, n));
}

static json_t *
operation(json_t *comps, const struct endpoint *ep)
{
	json_t *op, *resp;

	resp = json_pack("{s:o, s:o, s:o}",
	    "200", ok_response(comps, ep),
	    "400", error_response("A parameter is unknown, repeated, empty "
	    "or malformed: parameter names it."),
	    "429", error_response("Rate limited: retry after Retry-After "
	    "seconds."));
	if (!(ep->flags & EP_PUBLIC))
		json_object_set_new(resp, "401", error_response("A bearer "
		    "token is configured and the request lacks it."));
	if (ep->flags & EP_NOT_FOUND)
		json_object_set_new(resp, "404", error_response("No such "
		    "object."));
	if (ep->flags & EP_UNAVAIL)
		json_object_set_new(resp, "503", error_response("Not available "
		    "now (busy, or the part of the daemon it needs is not "
		    "running): retry after Retry-After seconds, if given."));
	op = json_pack("{s:o, s:s, s:s, s:o, s:o}",
	    "operationId", operation_id(ep->path),
	    "summary", ep->summary,
	    "description", ep->desc,
	    "parameters", params_json(ep->params),
	    "responses", resp);
	if (ep->flags & EP_PUBLIC)
		json_object_set_new(op, "security", json_array());
	return (op);
}

static json_t *
error_schema(void)
{
	return (json_pack("{s:s, s:{s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, "
	    "s:s}}, s:[s], s:b}", "type", "object", "properties",
	    "error", "type", "string", "description", "What is wrong.",
	    "parameter", "type", "string", "description", "The parameter at "
	    "fault (400 only).",
	    "retry_after", "type", "integer", "description", "Seconds to "
	    "wait (429, 503).",
	    "required", "error", "additionalProperties", 0));
}

json_t *
lg_openapi_build(void)
{
	json_t	*paths = json_object(), *comps = json_object(), *doc;
	size_t	 i;

	json_object_set_new(comps, "Error", error_schema());
	for (i = 0; i < lg_n_endpoints; i++)
		json_object_set_new(paths, lg_endpoints[i].path, json_pack(
		    "{s:o}", "get", operation(comps, &lg_endpoints[i])));
	doc = json_pack("{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:o, "
	    "s:{s:o, s:{s:{s:s, s:s, s:s}}}, s:[{}, {s:[]}]}",
	    "openapi", "3.1.0",
	    "info", "title", "bgplens looking glass",
	    "version", LG_VERSION,
	    "description", "Read-only HTTP API of the bgplens BGP collector: "
	    "routes, history, ASes, peers.  GET and HEAD only.  Every list "
	    "is bounded by a limit and continued with a cursor.  Unknown, "
	    "repeated, empty or malformed parameters are refused with 400 "
	    "naming the parameter.  See docs/api.md.",
	    "servers", "url", "/",
	    "paths", paths,
	    "components", "schemas", comps, "securitySchemes", "bearer",
	    "type", "http", "scheme", "bearer", "description", "Only when "
	    "the daemon is configured with http_token.",
	    "security", "bearer");
	return (doc);
}
