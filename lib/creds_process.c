/*
 * creds_process.c: credential_process.  The command is split like
 * botocore's shlex.split and run without a shell (posix_spawnp), stdin
 * from /dev/null (bq-judge and friends read records on stdin), stdout
 * captured as the credentials JSON, stderr captured for the error message.
 */
#include "creds.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define OUT_MAX ((size_t)64 << 10)
#define ERR_MAX ((size_t)4 << 10)

void bq_argv_free(char **argv)
{
	size_t i;

	for (i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

static int push(char ***argv, size_t *n, bq_buf *w)
{
	char **na = realloc(*argv, (*n + 2) * sizeof(char *));
	char *s;

	if (!na)
		return -1;
	*argv = na;
	s = bq_buf_detach(w);
	if (!s)
		return -1;
	na[(*n)++] = s;
	na[*n] = NULL;
	return 0;
}

int bq_split_command(const char *cmd, char ***argv_out, bq_err *err)
{
	bq_buf w = BQ_BUF_INIT;
	char **argv = NULL;
	size_t n = 0;
	bool in_word = false;
	const char *p = cmd;

	*argv_out = NULL;
	while (*p) {
		char c = *p;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if (in_word && push(&argv, &n, &w) < 0)
				goto oom;
			in_word = false;
			p++;
		} else if (c == '\'') {
			const char *q = strchr(p + 1, '\'');

			if (!q)
				goto unterminated;
			if (bq_buf_append(&w, p + 1, (size_t)(q - p - 1)) < 0)
				goto oom;
			if (!w.data && bq_buf_reserve(&w, 1) < 0)
				goto oom;
			in_word = true;
			p = q + 1;
		} else if (c == '"') {
			p++;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1] && strchr("\\\"$`\n", p[1]))
					p++;
				if (bq_buf_putc(&w, *p++) < 0)
					goto oom;
			}
			if (*p != '"')
				goto unterminated;
			if (!w.data && bq_buf_reserve(&w, 1) < 0)
				goto oom;
			in_word = true;
			p++;
		} else if (c == '\\') {
			if (!p[1])
				goto unterminated;
			if (bq_buf_putc(&w, p[1]) < 0)
				goto oom;
			in_word = true;
			p += 2;
		} else {
			if (bq_buf_putc(&w, c) < 0)
				goto oom;
			in_word = true;
			p++;
		}
	}
	if (in_word && push(&argv, &n, &w) < 0)
		goto oom;
	bq_buf_release(&w);
	if (!n) {
		bq_argv_free(argv);
		return bq_fail(err, BQ_EXIT_CREDS, "credential_process is empty");
	}
	*argv_out = argv;
	return 0;
unterminated:
	bq_buf_release(&w);
	bq_argv_free(argv);
	return bq_fail(err, BQ_EXIT_CREDS,
		       "credential_process has an unterminated quote or escape");
oom:
	bq_buf_release(&w);
	bq_argv_free(argv);
	return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
}

/* Reads both pipes to their ends. */
static int drain(int ofd, int efd, bq_buf *out, bq_buf *errb)
{
	struct pollfd pf[2];
	char chunk[4096];
	bool too_big = false;

	pf[0].fd = ofd;
	pf[0].events = POLLIN;
	pf[1].fd = efd;
	pf[1].events = POLLIN;
	while (pf[0].fd >= 0 || pf[1].fd >= 0) {
		int i;

		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (i = 0; i < 2; i++) {
			ssize_t r;

			if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(pf[i].fd, chunk, sizeof(chunk));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				pf[i].fd = -1;
				continue;
			}
			if (i == 0) {
				if (bq_buf_append(out, chunk, (size_t)r) < 0)
					too_big = true;
			} else {
				/* keep the tail of stderr: the error is usually last */
				if (errb->len + (size_t)r > ERR_MAX)
					bq_buf_reset(errb);
				bq_buf_append(errb, chunk, (size_t)r);
			}
		}
	}
	bq_wipe(chunk, sizeof(chunk));
	return too_big ? -2 : 0;
}

static int run(char **argv, bq_buf *out, bq_buf *errb, int *status,
	       bq_err *err)
{
	posix_spawn_file_actions_t fa;
	int op[2] = { -1, -1 }, ep[2] = { -1, -1 };
	pid_t pid;
	int rc, drc;

	if (pipe(op) < 0 || pipe(ep) < 0) {
		if (op[0] >= 0) {
			close(op[0]);
			close(op[1]);
		}
		return bq_fail(err, BQ_EXIT_RUNTIME, "cannot create a pipe: %s",
			       strerror(errno));
	}
	fcntl(op[0], F_SETFD, FD_CLOEXEC);
	fcntl(ep[0], F_SETFD, FD_CLOEXEC);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, op[1], 1);
	posix_spawn_file_actions_adddup2(&fa, ep[1], 2);
	posix_spawn_file_actions_addclose(&fa, op[1]);
	posix_spawn_file_actions_addclose(&fa, ep[1]);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(op[1]);
	close(ep[1]);
	if (rc != 0) {
		close(op[0]);
		close(ep[0]);
		return bq_fail(err, BQ_EXIT_CREDS,
			       "cannot run credential_process '%s': %s", argv[0],
			       strerror(rc));
	}
	drc = drain(op[0], ep[0], out, errb);
	close(op[0]);
	close(ep[0]);
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR)
			return bq_fail(err, BQ_EXIT_RUNTIME, "waitpid: %s",
				       strerror(errno));
	}
	if (drc == -2)
		return bq_fail(err, BQ_EXIT_CREDS,
			       "credential_process '%s' wrote more than %zu bytes",
			       argv[0], OUT_MAX);
	if (drc < 0)
		return bq_fail(err, BQ_EXIT_RUNTIME, "reading credential_process output failed");
	return 0;
}

static void last_line(const bq_buf *b, char *dst, size_t size)
{
	const char *s = bq_buf_cstr(b);
	size_t n = b->len, start;

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	start = n;
	while (start && s[start - 1] != '\n')
		start--;
	if (n - start >= size)
		start = n - (size - 1);
	memcpy(dst, s + start, n - start);
	dst[n - start] = '\0';
}

int bq_creds_process(const bq_creds_ctx *ctx, const char *command,
		     bq_creds *out, bq_err *err)
{
	char **argv = NULL;
	bq_buf o, e;
	int status = 0, rc;
	json_t *j = NULL, *ver;
	json_error_t je;
	char tail[256];

	(void)ctx;
	if (bq_split_command(command, &argv, err) < 0)
		return -1;
	bq_buf_init(&o, OUT_MAX);
	bq_buf_init(&e, 0);
	rc = run(argv, &o, &e, &status, err);
	if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		last_line(&e, tail, sizeof(tail));
		if (WIFEXITED(status))
			rc = bq_fail(err, BQ_EXIT_CREDS,
				     "credential_process '%s' failed with status %d%s%s",
				     argv[0], WEXITSTATUS(status), tail[0] ? ": " : "", tail);
		else
			rc = bq_fail(err, BQ_EXIT_CREDS,
				     "credential_process '%s' was killed by signal %d",
				     argv[0], WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	}
	if (rc == 0) {
		j = json_loadb(o.data ? o.data : "", o.len, 0, &je);
		if (!json_is_object(j))
			rc = bq_fail(err, BQ_EXIT_CREDS,
				     "credential_process '%s' did not print a JSON object",
				     argv[0]);
	}
	if (rc == 0) {
		ver = json_object_get(j, "Version");
		if (!json_is_integer(ver) || json_integer_value(ver) != 1)
			rc = bq_fail(err, BQ_EXIT_CREDS,
				     "credential_process '%s': Version must be 1", argv[0]);
	}
	if (rc == 0) {
		char what[300];

		bq_snprintf(what, sizeof(what), "credential_process '%s'", argv[0]);
		rc = bq_creds_from_json(out, j, "AccessKeyId", "SecretAccessKey",
					"SessionToken", "Expiration", "process", what,
					err);
	}
	bq_json_decref_secret(j);
	bq_buf_release_secure(&o);
	bq_buf_release_secure(&e);
	bq_argv_free(argv);
	return rc < 0 ? -1 : 1;
}
