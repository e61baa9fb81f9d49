/*
 * lg_archives.c -- /api/v1/archives: the MRT archive (collector/
 * archive_daemon.c), listed and served for download.
 *
 *   /api/v1/archives          the files, newest period first; kind, limit
 *   /api/v1/archives/{name}   one file, as it is on disk
 *
 * A download is served only under a name the listing gives: the name is
 * looked up among the files archive_list() finds, never joined to a path
 * as sent, so nothing outside the archive can be named.  The archive's
 * counters also go into /api/v1/status and /metrics from here.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archived.h"
#include "lg_int.h"

static const char *
archive_dir(struct lg *lg, struct req *r)
{
	const char *d = archived_dir(lg->ctx.archive);

	if (d == NULL) {
		r->status = MHD_HTTP_SERVICE_UNAVAILABLE;
		snprintf(r->err_msg, sizeof(r->err_msg), "the MRT archive is "
		    "off (archive: enabled: false) or could not start");
	}
	return (d);
}

static const char *
kind_name(enum archive_kind k)
{
	return (k == ARCHIVE_KIND_RIB ? "rib" : "updates");
}

int
lg_h_archives(struct lg *lg, struct req *r)
{
	struct archive_file	*v;
	const char		*dir, *kind = lg_param(r, "kind");
	size_t			 n, i, limit, shown = 0;
	json_t			*a;
	char			 url[128];

	if ((dir = archive_dir(lg, r)) == NULL)
		return (-1);
	if (lg_limit(r, "limit", LG_DEF_LIMIT, LG_MAX_LIMIT, &limit) == -1)
		return (-1);
	if (archive_list(dir, &v, &n) == -1) {
		/* Nothing written yet: the directory comes with the first. */
		v = NULL;
		n = 0;
	}
	a = json_array();
	for (i = 0; i < n && shown < limit; i++) {
		if (kind != NULL && strcmp(kind, kind_name(v[i].kind)) != 0)
			continue;
		snprintf(url, sizeof(url), "/api/v1/archives/%s", v[i].name);
		json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:I, s:I, "
		    "s:s}", "kind", kind_name(v[i].kind), "name", v[i].name,
		    "size", (json_int_t)v[i].size,
		    "start", (json_int_t)v[i].start,
		    "mtime", (json_int_t)v[i].mtime, "url", url));
		shown++;
	}
	free(v);
	r->body = json_pack("{s:o, s:I}", "archives", a, "count",
	    (json_int_t)shown);
	return (r->body != NULL ? 0 : -1);
}

static const char *
content_type(const char *name)
{
	size_t l = strlen(name);

	if (l > 4 && strcmp(name + l - 4, ".bz2") == 0)
		return ("application/x-bzip2");
	if (l > 3 && strcmp(name + l - 3, ".gz") == 0)
		return ("application/gzip");
	return ("application/octet-stream");
}

int
lg_h_archive(struct lg *lg, struct req *r)
{
	struct archive_file	*v;
	const char		*dir, *name = lg_param(r, "name");
	size_t			 n, i;
	char			 path[1024];
	struct stat		 st;
	int			 fd = -1;

	if ((dir = archive_dir(lg, r)) == NULL)
		return (-1);
	if (archive_list(dir, &v, &n) == -1)
		n = 0;
	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			break;
	if (i < n)
		snprintf(path, sizeof(path), "%s/%s/%s", dir, v[i].month,
		    v[i].name);
	free(v);
	if (i == n) {
		r->status = MHD_HTTP_NOT_FOUND;
		snprintf(r->err_msg, sizeof(r->err_msg), "no archive file %s "
		    "(see /api/v1/archives)", name);
		return (-1);
	}
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		if (fd != -1)
			close(fd);
		r->status = MHD_HTTP_NOT_FOUND;
		snprintf(r->err_msg, sizeof(r->err_msg), "%s: gone (retention "
		    "deleted it?)", name);
		return (-1);
	}
	r->file_fd = fd;
	r->file_size = (uint64_t)st.st_size;
	r->file_type = content_type(name);
	snprintf(r->file_name, sizeof(r->file_name), "%s", name);
	return (0);
}

/*
 * Status and metrics.
 */

json_t *
lg_archive_status(struct lg *lg)
{
	struct archived_stats	st;
	json_t			*o, *last = json_null();

	archived_stats(lg->ctx.archive, &st);
	if (st.last_snapshot[0] != '\0')
		last = json_pack("{s:s, s:I, s:f, s:I}", "file",
		    strrchr(st.last_snapshot, '/') ? strrchr(st.last_snapshot,
		    '/') + 1 : st.last_snapshot,
		    "time", (json_int_t)st.last_snapshot_at,
		    "seconds", (double)st.last_snapshot_ms / 1000.0,
		    "bytes", (json_int_t)st.last_snapshot_bytes);
	o = json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:I, "
	    "s:I, s:b, s:o, s:I}",
	    "enabled", st.enabled,
	    "records", (json_int_t)st.a.records,
	    "bytes", (json_int_t)st.a.bytes,
	    "dropped", (json_int_t)st.a.dropped,
	    "files", (json_int_t)st.a.files,
	    "write_errors", (json_int_t)st.a.write_errors,
	    "recovered", (json_int_t)st.a.recovered,
	    "current_file", st.a.current,
	    "last_error", st.a.last_error,
	    "snapshots", (json_int_t)st.snapshots,
	    "snapshot_failures", (json_int_t)st.snapshot_failures,
	    "snapshot_running", st.snapshot_running,
	    "last_snapshot", last,
	    "retention_deleted", (json_int_t)st.retention_deleted);
	return (o);
}

size_t
lg_archive_metrics(struct lg *lg, char *buf, size_t cap)
{
	struct archived_stats	st;
	int			n;

	archived_stats(lg->ctx.archive, &st);
	n = snprintf(buf, cap,
	    "# HELP bgplens_archive_records_total MRT records accepted for "
	    "the update log.\n"
	    "# TYPE bgplens_archive_records_total counter\n"
	    "bgplens_archive_records_total %" PRIu64 "\n"
	    "# TYPE bgplens_archive_bytes_total counter\n"
	    "bgplens_archive_bytes_total %" PRIu64 "\n"
	    "# HELP bgplens_archive_dropped_total MRT records lost (disk "
	    "full, unwritable, buffer full).\n"
	    "# TYPE bgplens_archive_dropped_total counter\n"
	    "bgplens_archive_dropped_total %" PRIu64 "\n"
	    "# TYPE bgplens_archive_files_total counter\n"
	    "bgplens_archive_files_total %" PRIu64 "\n"
	    "# TYPE bgplens_archive_write_errors_total counter\n"
	    "bgplens_archive_write_errors_total %" PRIu64 "\n"
	    "# TYPE bgplens_archive_snapshots_total counter\n"
	    "bgplens_archive_snapshots_total{result=\"ok\"} %" PRIu64 "\n"
	    "bgplens_archive_snapshots_total{result=\"failed\"} %" PRIu64 "\n"
	    "# TYPE bgplens_archive_snapshot_running gauge\n"
	    "bgplens_archive_snapshot_running %d\n"
	    "# TYPE bgplens_archive_last_snapshot_seconds gauge\n"
	    "bgplens_archive_last_snapshot_seconds %.3f\n"
	    "# TYPE bgplens_archive_last_snapshot_timestamp_seconds gauge\n"
	    "bgplens_archive_last_snapshot_timestamp_seconds %" PRIu64 "\n",
	    st.a.records, st.a.bytes, st.a.dropped, st.a.files,
	    st.a.write_errors, st.snapshots, st.snapshot_failures,
	    st.snapshot_running ? 1 : 0, (double)st.last_snapshot_ms / 1000.0,
	    st.last_snapshot_at);
	if (n < 0)
		return (0);
	return ((size_t)n < cap ? (size_t)n : cap);
}

/*
 * The table's side: parameters and answers.
 */
const struct pdesc lg_p_archives[] = {
	{ "kind", P_ENUM, "rib|updates", 0, 0, NULL, "rib",
	    "Only RIB snapshots (rib) or only update files (updates).", 0 },
	{ "limit", P_UINT, NULL, 1, LG_MAX_LIMIT, NULL, "10",
	    "At most this many files (1 to 10000, default 100), newest "
	    "first.", 0 },
	{ NULL, 0, NULL, 0, 0, NULL, NULL, NULL, 0 }
};

const struct pdesc lg_p_archive[] = {
	{ "name", P_FILENAME, NULL, 0, 0, NULL, "rib.20260101.0000.bz2",
	    "A file name as /api/v1/archives lists it.",
	    PD_PATH | PD_REQUIRED },
	{ NULL, 0, NULL, 0, 0, NULL, NULL, NULL, 0 }
};

#define FS(n, d)	{ n, F_STR, NULL, NULL, 0, 0, d }
#define FI(n, d)	{ n, F_INT, NULL, NULL, 0, 0, d }
#define FEND		{ NULL, 0, NULL, NULL, 0, 0, NULL }

static const struct field f_file[] = {
	FS("kind", "rib (a TABLE_DUMP_V2 snapshot) or updates (BGP4MP_ET "
	    "messages and state changes)."),
	FS("name", "File name: KIND.YYYYMMDD.HHMM[.N][.bz2|.gz]."),
	FI("size", "Bytes."),
	FI("start", "Start of its period (snapshots: their instant), unix "
	    "seconds, from the name."),
	FI("mtime", "Last modified, unix seconds."),
	FS("url", "Where to download it."),
	FEND
};

const struct field lg_f_archives[] = {
	{ "archives", F_ARR, f_file, "ArchiveFile", 0, 0, "Newest period "
	    "first; at one instant the snapshot before the updates." },
	FI("count", "Files in this answer."),
	FEND
};

const struct field lg_f_archive[] = {
	{ "file", F_FILE, NULL, NULL, 0, 0, "The file as it is on disk: "
	    "application/x-bzip2 (.bz2), application/gzip (.gz) or "
	    "application/octet-stream." },
	FEND
};

const struct field lg_f_archive_status[] = {
	{ "enabled", F_BOOL, NULL, NULL, 0, 0, "The update log is being "
	    "written." },
	FI("records", "Records accepted for the update log since start."),
	FI("bytes", "Their bytes, uncompressed, written."),
	FI("dropped", "Records lost: disk full, directory unwritable, or "
	    "max_buffer_mb exceeded."),
	FI("files", "Update files completed since start."),
	FI("write_errors", "Failed writes, opens and compressions."),
	FI("recovered", "Files recovered at start from a crash's leftovers."),
	FS("current_file", "The update file being written, \"\" if none."),
	FS("last_error", "The last write error, \"\" if none."),
	FI("snapshots", "RIB snapshots written since start."),
	FI("snapshot_failures", "RIB snapshots that failed."),
	{ "snapshot_running", F_BOOL, NULL, NULL, 0, 0, "A snapshot child "
	    "is writing now." },
	{ "last_snapshot", F_OBJ, (const struct field[]){
		FS("file", "Its name."),
		FI("time", "The instant it holds, unix seconds."),
		{ "seconds", F_NUM, NULL, NULL, 0, 0, "Wall time, fork to "
		    "exit." },
		FI("bytes", "Its size."),
		FEND }, "LastSnapshot", 0, FL_NULL, "The last snapshot "
	    "written, null before the first." },
	FI("retention_deleted", "Files deleted by retention since start."),
	FEND
};
