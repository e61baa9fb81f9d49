/*
 * log.h -- logging for the daemon and the tools.
 *
 * Levels as syslog's; the level is tested before anything is formatted.
 * Output goes to stderr (the default: the daemon runs in the foreground
 * under a supervisor) or to syslog.  log_warn() appends strerror(errno).
 * fatal()/fatalx() are for broken invariants and running out of memory
 * only: bad input is never fatal.
 */
#ifndef BGPLENS_LOG_H
#define BGPLENS_LOG_H

#include <stdarg.h>
#include <stdbool.h>

#define LOG_LVL_ERR	3
#define LOG_LVL_WARN	4
#define LOG_LVL_INFO	6
#define LOG_LVL_DEBUG	7

void	log_init(const char *ident, int level, bool use_syslog);
void	log_setlevel(int level);
int	log_getlevel(void);
/* "error", "warning", "info", "debug" -> level, -1 if unknown. */
int	log_level_parse(const char *);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_msg(int level, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	log_vmsg(int level, const char *, va_list);
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif /* BGPLENS_LOG_H */
