/*
 * log.c -- stderr or syslog, with levels (see log.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int	 log_level = LOG_LVL_INFO;
static bool	 log_syslog;
static const char *log_ident = "bgplens";

void
log_init(const char *ident, int level, bool use_syslog)
{
	log_ident = ident;
	log_level = level;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_setlevel(int level)
{
	log_level = level;
}

int
log_getlevel(void)
{
	return (log_level);
}

int
log_level_parse(const char *s)
{
	if (strcmp(s, "error") == 0)
		return (LOG_LVL_ERR);
	if (strcmp(s, "warning") == 0 || strcmp(s, "warn") == 0)
		return (LOG_LVL_WARN);
	if (strcmp(s, "info") == 0)
		return (LOG_LVL_INFO);
	if (strcmp(s, "debug") == 0)
		return (LOG_LVL_DEBUG);
	return (-1);
}

static const char *
level_name(int level)
{
	switch (level) {
	case LOG_LVL_ERR:
		return ("error");
	case LOG_LVL_WARN:
		return ("warning");
	case LOG_LVL_INFO:
		return ("info");
	default:
		return ("debug");
	}
}

void
log_vmsg(int level, const char *fmt, va_list ap)
{
	struct timespec	ts;
	struct tm	tm;
	char		tbuf[32];
	int		saved = errno;

	if (level > log_level)
		return;
	if (log_syslog) {
		vsyslog(level, fmt, ap);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ldZ %s %s: ", tbuf, ts.tv_nsec / 1000000,
		    log_ident, level_name(level));
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	errno = saved;
}

void
log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	char	buf[1024];
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_msg(LOG_LVL_WARN, "%s: %s", buf, strerror(saved));
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LVL_WARN, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LVL_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LOG_LVL_DEBUG)
		return;
	va_start(ap, fmt);
	log_vmsg(LOG_LVL_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	char	buf[1024];
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_msg(LOG_LVL_ERR, "fatal: %s: %s", buf, strerror(saved));
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	char	buf[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_msg(LOG_LVL_ERR, "fatal: %s", buf);
	exit(1);
}
