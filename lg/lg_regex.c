/*
 * lg_regex.c -- the ?aspath= expression, checked before regcomp() sees it.
 *
 * The pattern comes from anyone who can reach the looking glass, and the
 * C library's matcher is not built for hostile patterns: glibc accepts
 * back-references in extended expressions (\1), whose matching is
 * exponential in the subject, and expands a counted repetition {m,n} by
 * copying its operand n times, so nested counts ("((.{0,255}){0,255}){0,255}")
 * make regcomp() allocate gigabytes.  So only a subset is accepted, small
 * enough that compiling is cheap and matching stays linear in the AS path
 * text:
 *
 *   - at most LG_RE_MAX_LEN characters, printable ASCII, no backslash
 *     (no back-references, no GNU \w \b \< escapes; a literal bracket or
 *     brace is written [{] as POSIX allows);
 *   - counts in {m}, {m,} and {m,n} at most LG_RE_MAX_COUNT;
 *   - parentheses nested at most LG_RE_MAX_DEPTH deep;
 *   - at most LG_RE_MAX_SIZE positions once every counted repetition is
 *     expanded (the size regcomp() builds and regexec() walks).
 */
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lg_int.h"

struct frame {
	size_t	total;		/* positions in this group so far */
	size_t	last;		/* of the last atom, which a count applies to */
	bool	quant;		/* something in the group is repeated */
	bool	last_quant;	/* the last atom is a group with a repeat */
};

static bool
fail(char *why, size_t len, const char *msg)
{
	snprintf(why, len, "%s", msg);
	return (false);
}

/* Past a bracket expression starting at s[0] == '['; NULL if unclosed. */
static const char *
skip_bracket(const char *s)
{
	const char *p = s + 1;

	if (*p == '^')
		p++;
	if (*p == ']')		/* a leading ] is a member */
		p++;
	while (*p != '\0' && *p != ']') {
		if (p[0] == '[' && (p[1] == ':' || p[1] == '=' ||
		    p[1] == '.')) {
			const char *e = strchr(p + 2, p[1]);

			if (e == NULL || e[1] != ']')
				return (NULL);
			p = e + 2;
		} else
			p++;
	}
	return (*p == ']' ? p + 1 : NULL);
}

/* A count {m}, {m,} or {m,n} at s; its multiplier, or 0 if malformed. */
static size_t
read_count(const char **sp)
{
	const char	*s = *sp + 1;
	size_t		 m = 0, n = 0;
	bool		 open = false, has_n = false;

	if (*s < '0' || *s > '9')
		return (0);
	while (*s >= '0' && *s <= '9' && m <= LG_RE_MAX_COUNT)
		m = m * 10 + (size_t)(*s++ - '0');
	if (*s == ',') {
		s++;
		open = true;
		while (*s >= '0' && *s <= '9' && n <= LG_RE_MAX_COUNT) {
			n = n * 10 + (size_t)(*s++ - '0');
			has_n = true;
		}
	}
	if (*s != '}' || m > LG_RE_MAX_COUNT || n > LG_RE_MAX_COUNT ||
	    (has_n && n < m))
		return (0);
	*sp = s + 1;
	if (has_n)
		return (n > 0 ? n : 1);
	return (open ? m + 1 : (m > 0 ? m : 1));
}

/*
 * Repeat the last atom of f mult times (1 for * and ?); false when that is
 * a repeat of a repeat, or past the size limit.
 */
static bool
repeat(struct frame *f, size_t mult, char *why, size_t whylen)
{
	if (f->last == 0)
		return (true);	/* "^*": regcomp decides */
	if (f->last_quant)
		return (fail(why, whylen, "a repeated group that itself "
		    "repeats something, as in (a+)* or (a|b*){2}"));
	f->quant = true;
	if (f->last > LG_RE_MAX_SIZE / mult)
		return (fail(why, whylen, "too large once its counts are "
		    "expanded"));
	f->total += f->last * (mult - 1);
	f->last *= mult;
	if (f->total > LG_RE_MAX_SIZE)
		return (fail(why, whylen, "too large once its counts are "
		    "expanded"));
	return (true);
}

bool
lg_regex_check(const char *s, char *why, size_t whylen)
{
	struct frame	 st[LG_RE_MAX_DEPTH + 1];
	const char	*p = s, *e;
	size_t		 mult;
	int		 d = 0;

	if (strlen(s) > LG_RE_MAX_LEN)
		return (fail(why, whylen, "longer than the limit"));
	memset(st, 0, sizeof(st));
	while (*p != '\0') {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c > 0x7e)
			return (fail(why, whylen, "a character outside "
			    "printable ASCII"));
		switch (c) {
		case '\\':
			return (fail(why, whylen, "a backslash (write a "
			    "literal as [x])"));
		case '(':
			if (d == LG_RE_MAX_DEPTH)
				return (fail(why, whylen, "parentheses nested "
				    "too deep"));
			d++;
			memset(&st[d], 0, sizeof(st[d]));
			p++;
			break;
		case ')':
			if (d == 0)
				return (fail(why, whylen, "an unopened ')'"));
			d--;
			st[d].last = st[d + 1].total > 0 ? st[d + 1].total : 1;
			st[d].total += st[d].last;
			st[d].last_quant = st[d + 1].quant;
			st[d].quant |= st[d + 1].quant;
			p++;
			break;
		case '[':
			if ((e = skip_bracket(p)) == NULL)
				return (fail(why, whylen, "an unclosed '['"));
			st[d].last = 1;
			st[d].last_quant = false;
			st[d].total++;
			p = e;
			break;
		case '{':
			if ((mult = read_count(&p)) == 0)
				return (fail(why, whylen, "a malformed or too "
				    "large count {m,n}"));
			if (!repeat(&st[d], mult, why, whylen))
				return (false);
			st[d].last_quant = true;
			break;
		case '+': case '*': case '?':
			if (!repeat(&st[d], c == '+' ? 2 : 1, why, whylen))
				return (false);
			st[d].last_quant = true;
			p++;
			break;
		case '|': case '^': case '$':
			st[d].last = 0;
			st[d].last_quant = false;
			p++;
			break;
		default:
			st[d].last = 1;
			st[d].last_quant = false;
			st[d].total++;
			p++;
			break;
		}
		if (st[d].total > LG_RE_MAX_SIZE)
			return (fail(why, whylen, "too large once its counts "
			    "are expanded"));
	}
	if (d != 0)
		return (fail(why, whylen, "an unclosed '('"));
	return (true);
}

int
lg_regex_compile(regex_t *re, const char *s, char *why, size_t whylen)
{
	if (!lg_regex_check(s, why, whylen))
		return (-1);
	if (regcomp(re, s, REG_EXTENDED | REG_NOSUB) != 0)
		return (fail(why, whylen, "not a valid expression"), -1);
	return (0);
}
