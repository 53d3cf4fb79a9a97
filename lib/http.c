#include "http.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#ifndef BQ_VERSION
#define BQ_VERSION "0"
#endif

#define DEBUG_BODY_MAX 4096

struct bq_http {
	CURLM *multi;
	bq_http_opts opts;
	char *ca_bundle;
	char *user_agent;
	size_t active;
	/* finished transfers not yet handed back */
	bq_http_xfer *done_head, *done_tail;
	/* > 0 while libcurl runs the multi handle (its callbacks included) */
	int depth;
	/* blocking calls made from inside those callbacks (see the header) */
	CURL *nested;
	bool nested_busy;
	double resumed_at;        /* monotonic end of the last nested call */
};

static int global_ready;

int bq_http_new(bq_http **out, const bq_http_opts *opts, bq_err *err)
{
	bq_http *h;

	*out = NULL;
	if (!global_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return bq_fail(err, BQ_EXIT_RUNTIME, "cannot initialise libcurl");
		global_ready = 1;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	if (opts)
		h->opts = *opts;
	h->opts.ca_bundle = NULL;
	h->opts.user_agent = NULL;
	if (h->opts.connect_timeout <= 0)
		h->opts.connect_timeout = 10;
	if (h->opts.read_timeout <= 0)
		h->opts.read_timeout = 60;
	if (opts && opts->ca_bundle && *opts->ca_bundle)
		h->ca_bundle = strdup(opts->ca_bundle);
	h->user_agent = strdup(opts && opts->user_agent ? opts->user_agent :
			       "bq/" BQ_VERSION);
	h->multi = curl_multi_init();
	if (!h->multi || !h->user_agent ||
	    (opts && opts->ca_bundle && *opts->ca_bundle && !h->ca_bundle)) {
		bq_http_free(h);
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	*out = h;
	return 0;
}

static void xfer_detach(bq_http *h, bq_http_xfer *x)
{
	CURL *e = x->priv_easy;

	if (e) {
		curl_multi_remove_handle(h->multi, e);
		curl_easy_cleanup(e);
		x->priv_easy = NULL;
	}
	curl_slist_free_all(x->priv_hdrs);
	x->priv_hdrs = NULL;
	free(x->priv_url);
	x->priv_url = NULL;
}

void bq_http_free(bq_http *h)
{
	if (!h)
		return;
	if (h->multi)
		curl_multi_cleanup(h->multi);
	if (h->nested)
		curl_easy_cleanup(h->nested);
	free(h->ca_bundle);
	free(h->user_agent);
	free(h);
}

void bq_http_set_debug(bq_http *h, bool on)
{
	h->opts.debug = on;
}

void bq_http_xfer_init(bq_http_xfer *x)
{
	memset(x, 0, sizeof(*x));
	bq_buf_init(&x->body, 0);
}

static void free_headers(bq_http_xfer *x)
{
	size_t i;

	for (i = 0; i < x->nheaders; i++)
		free(x->headers[i]);
	free(x->headers);
	x->headers = NULL;
	x->nheaders = x->hcap = 0;
}

void bq_http_xfer_reset(bq_http_xfer *x)
{
	x->status = 0;
	bq_buf_release(&x->body);
	bq_buf_init(&x->body, x->max_body);
	free_headers(x);
	x->fail = BQ_HTTP_OK;
	x->abort_code = 0;
	x->error[0] = '\0';
	x->body_bytes = 0;
	x->done = false;
	x->next_done = NULL;
}

void bq_http_xfer_release(bq_http_xfer *x)
{
	free_headers(x);
	bq_buf_release(&x->body);
	curl_slist_free_all(x->priv_hdrs);
	x->priv_hdrs = NULL;
	free(x->priv_url);
	x->priv_url = NULL;
	if (x->priv_easy) {
		curl_easy_cleanup(x->priv_easy);
		x->priv_easy = NULL;
	}
}

const char *bq_http_xfer_header(const bq_http_xfer *x, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < x->nheaders; i++) {
		const char *h = x->headers[i];

		if (strncasecmp(h, name, n) == 0 && h[n] == ':')
			return h + n + 1 + (h[n + 1] == ' ');
	}
	return NULL;
}

/* ---- libcurl callbacks ---- */

/* Network timeouts are about the real network, never the injected clock. */
static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	bq_http_xfer *x = ud;
	double now = mono_now();

	(void)dltotal;
	(void)ultotal;
	if ((long long)dlnow != x->priv_dl || (long long)ulnow != x->priv_ul) {
		x->priv_dl = (long long)dlnow;
		x->priv_ul = (long long)ulnow;
		x->priv_active = now;
		return 0;
	}
	/* time spent in a nested blocking call is not this transfer's stall */
	if (x->priv_http && ((bq_http *)x->priv_http)->resumed_at > x->priv_active)
		x->priv_active = ((bq_http *)x->priv_http)->resumed_at;
	if (x->priv_rt > 0 && now - x->priv_active > x->priv_rt) {
		x->fail = BQ_HTTP_TIMEOUT;
		bq_snprintf(x->error, sizeof(x->error),
			    "no data for %.0f seconds (read timeout)", x->priv_rt);
		return 1;
	}
	return 0;
}

static long response_code(bq_http_xfer *x)
{
	long code = 0;

	curl_easy_getinfo(x->priv_easy, CURLINFO_RESPONSE_CODE, &code);
	return code;
}

static size_t on_write(char *data, size_t sz, size_t nm, void *ud)
{
	bq_http_xfer *x = ud;
	size_t n = sz * nm;
	long code = response_code(x);

	x->priv_active = mono_now();
	x->status = (int)code; /* so a streaming sink can look at it */
	if (code >= 200 && code < 300) {
		x->body_bytes += n;
		if (x->on_body) {
			int rc = x->on_body(x->body_ud, data, n);

			if (rc) {
				x->abort_code = rc;
				x->fail = BQ_HTTP_ABORTED;
				return 0;
			}
			return n;
		}
	}
	if (bq_buf_append(&x->body, data, n) < 0) {
		x->fail = BQ_HTTP_OTHER;
		bq_snprintf(x->error, sizeof(x->error),
			    "response body larger than %zu bytes",
			    x->body.max ? x->body.max : BQ_BUF_DEFAULT_MAX);
		return 0;
	}
	return n;
}

static size_t on_header(char *data, size_t sz, size_t nm, void *ud)
{
	bq_http_xfer *x = ud;
	size_t n = sz * nm, k, len = n;
	char *line, **nh;

	x->priv_active = mono_now();
	while (len && (data[len - 1] == '\r' || data[len - 1] == '\n'))
		len--;
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		/* a new response (after 1xx, or a proxy's CONNECT answer) */
		free_headers(x);
		return n;
	}
	if (!len || !memchr(data, ':', len))
		return n;
	if (x->nheaders + 1 >= x->hcap) {
		size_t ncap = x->hcap ? x->hcap * 2 : 16;

		nh = realloc(x->headers, ncap * sizeof(*nh));
		if (!nh)
			return 0;
		x->headers = nh;
		x->hcap = ncap;
	}
	line = malloc(len + 1);
	if (!line)
		return 0;
	memcpy(line, data, len);
	line[len] = '\0';
	for (k = 0; line[k] && line[k] != ':'; k++)
		line[k] = (char)tolower((unsigned char)line[k]);
	x->headers[x->nheaders++] = line;
	x->headers[x->nheaders] = NULL;
	return n;
}

static void dump_lines(const char *prefix, const char *p, size_t n)
{
	bq_buf b = BQ_BUF_INIT;
	size_t i = 0;

	while (i < n) {
		size_t j = i;

		while (j < n && p[j] != '\n')
			j++;
		{
			size_t e = j;

			if (e > i && p[e - 1] == '\r')
				e--;
			if (e > i) {
				bq_buf_puts(&b, prefix);
				bq_buf_append(&b, p + i, e - i);
				bq_buf_putc(&b, '\n');
			}
		}
		i = j + 1;
	}
	if (b.len)
		bq_log_write(b.data, b.len);
	bq_buf_release_secure(&b);
}

static bool printable(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t')
			return false;
	}
	return true;
}

static int on_debug(CURL *e, curl_infotype type, char *data, size_t n,
		    void *ud)
{
	char msg[96];

	(void)e;
	(void)ud;
	switch (type) {
	case CURLINFO_TEXT:
		dump_lines("* ", data, n);
		break;
	case CURLINFO_HEADER_OUT:
		dump_lines("> ", data, n);
		break;
	case CURLINFO_HEADER_IN:
		dump_lines("< ", data, n);
		break;
	case CURLINFO_DATA_OUT:
	case CURLINFO_DATA_IN: {
		const char *dir = type == CURLINFO_DATA_OUT ? ">" : "<";

		if (printable(data, n)) {
			bq_snprintf(msg, sizeof(msg), "%s [%zu bytes]\n", dir, n);
			bq_log_write(msg, strlen(msg));
			dump_lines(type == CURLINFO_DATA_OUT ? "> " : "< ", data,
				   n > DEBUG_BODY_MAX ? DEBUG_BODY_MAX : n);
			if (n > DEBUG_BODY_MAX) {
				bq_snprintf(msg, sizeof(msg), "%s [... %zu more bytes]\n",
					    dir, n - DEBUG_BODY_MAX);
				bq_log_write(msg, strlen(msg));
			}
		} else {
			bq_snprintf(msg, sizeof(msg), "%s [%zu bytes of binary data]\n",
				    dir, n);
			bq_log_write(msg, strlen(msg));
		}
		break;
	}
	default:
		break;
	}
	return 0;
}

/* ---- setting a transfer up ---- */

static int build_url(bq_http_xfer *x, bq_err *err)
{
	const bq_request *r = x->req;
	bq_buf u = BQ_BUF_INIT;

	if (bq_buf_printf(&u, "%s://%s%s", r->scheme, r->host,
			  r->path && *r->path ? r->path : "/") < 0 ||
	    (r->query && *r->query && bq_buf_printf(&u, "?%s", r->query) < 0)) {
		bq_buf_release(&u);
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	free(x->priv_url);
	x->priv_url = bq_buf_detach(&u);
	return 0;
}

static int build_headers(bq_http_xfer *x, bq_err *err)
{
	const bq_request *r = x->req;
	struct curl_slist *l = NULL, *t;
	bq_buf line = BQ_BUF_INIT;
	bool has_ct = false;
	size_t i;

	curl_slist_free_all(x->priv_hdrs);
	x->priv_hdrs = NULL;
	for (i = 0; i <= r->nheaders + 1; i++) {
		bq_buf_reset(&line);
		if (i < r->nheaders) {
			const bq_header *h = &r->headers[i];

			if (strcasecmp(h->name, "content-type") == 0)
				has_ct = true;
			/* "Name;" is curl's way to send an empty value */
			if (bq_buf_printf(&line, *h->value ? "%s: %s" : "%s;",
					  h->name, h->value) < 0)
				goto oom;
		} else if (i == r->nheaders) {
			if (bq_buf_puts(&line, "Expect:") < 0)
				goto oom;
		} else {
			/* stop curl from adding a form Content-Type to POSTs */
			if (has_ct)
				continue;
			if (bq_buf_puts(&line, "Content-Type:") < 0)
				goto oom;
		}
		t = curl_slist_append(l, bq_buf_cstr(&line));
		if (!t)
			goto oom;
		l = t;
	}
	bq_buf_release_secure(&line);
	x->priv_hdrs = l;
	return 0;
oom:
	bq_buf_release_secure(&line);
	curl_slist_free_all(l);
	return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
}

/* Sets easy handle e up for x (e becomes x->priv_easy; the caller owns
 * it and gets it back in x->priv_easy on failure too). */
static int setup(bq_http *h, bq_http_xfer *x, CURL *e, bq_err *err)
{
	const bq_request *r = x->req;
	double ct = x->connect_timeout > 0 ? x->connect_timeout : h->opts.connect_timeout;
	double rt = x->read_timeout > 0 ? x->read_timeout : h->opts.read_timeout;

	if (x->priv_easy && x->priv_easy != e)
		curl_easy_cleanup(x->priv_easy);
	x->priv_easy = e;
	if (!e)
		return bq_fail(err, BQ_EXIT_RUNTIME, "cannot create a curl handle");
	if (!r || !r->method || !r->scheme || !r->host)
		return bq_fail(err, BQ_EXIT_RUNTIME, "incomplete http request");
	bq_http_xfer_reset(x);
	if (build_url(x, err) < 0 || build_headers(x, err) < 0)
		return -1;
	x->priv_http = h;
	curl_easy_setopt(e, CURLOPT_URL, x->priv_url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->ca_bundle)
		curl_easy_setopt(e, CURLOPT_CAINFO, h->ca_bundle);
	curl_easy_setopt(e, CURLOPT_USERAGENT, h->user_agent);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(ct * 1000));
	x->priv_rt = rt;
	x->priv_active = mono_now();
	x->priv_dl = x->priv_ul = 0;
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, x);
	if (x->total_timeout > 0)
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(x->total_timeout * 1000));
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->error);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->priv_hdrs);
	if (x->decode)
		curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	else
		curl_easy_setopt(e, CURLOPT_HTTP_CONTENT_DECODING, 0L);
	if (h->opts.debug) {
		curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
		curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, on_debug);
	}
	if (strcmp(r->method, "GET") == 0 && !r->body_len) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(r->method, "HEAD") == 0) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else {
		if (strcmp(r->method, "POST") != 0)
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)r->body_len);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS,
				 r->body ? (const char *)r->body : "");
	}
	x->error[0] = '\0';
	return 0;
}

static enum bq_http_fail classify(CURLcode c)
{
	switch (c) {
	case CURLE_OK:
		return BQ_HTTP_OK;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		return BQ_HTTP_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return BQ_HTTP_TIMEOUT;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return BQ_HTTP_RESET;
	case CURLE_PARTIAL_FILE:
	case CURLE_BAD_CONTENT_ENCODING:
		return BQ_HTTP_TRUNCATED;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
		return BQ_HTTP_TLS;
	default:
		return BQ_HTTP_OTHER;
	}
}

/* Records how a transfer ended (while x->priv_easy is still there). */
static void conclude(bq_http_xfer *x, CURLcode c)
{
	/* on_write / on_progress already said why they stopped it */
	if (!((c == CURLE_WRITE_ERROR || c == CURLE_ABORTED_BY_CALLBACK) &&
	      x->fail != BQ_HTTP_OK))
		x->fail = classify(c);
	if (c != CURLE_OK && !x->error[0])
		bq_strlcpy(x->error, curl_easy_strerror(c), sizeof(x->error));
	/* A truncated answer keeps its status: a 2xx that broke off means
	 * the service did the work (see answer_unused in aws_internal.h). */
	x->status = x->fail == BQ_HTTP_OK || x->fail == BQ_HTTP_ABORTED ||
		x->fail == BQ_HTTP_TRUNCATED ? (int)response_code(x) : 0;
	x->done = true;
}

static void finish(bq_http *h, bq_http_xfer *x, CURLcode c)
{
	conclude(x, c);
	curl_multi_remove_handle(h->multi, x->priv_easy);
	curl_easy_cleanup(x->priv_easy);
	x->priv_easy = NULL;
	h->active--;
	x->next_done = NULL;
	if (h->done_tail)
		h->done_tail->next_done = x;
	else
		h->done_head = x;
	h->done_tail = x;
}

int bq_http_start(bq_http *h, bq_http_xfer *x, bq_err *err)
{
	CURLMcode mc;

	if (setup(h, x, curl_easy_init(), err) < 0) {
		if (x->priv_easy)
			curl_easy_cleanup(x->priv_easy);
		x->priv_easy = NULL;
		return -1;
	}
	mc = curl_multi_add_handle(h->multi, x->priv_easy);
	if (mc != CURLM_OK) {
		curl_easy_cleanup(x->priv_easy);
		x->priv_easy = NULL;
		return bq_fail(err, BQ_EXIT_RUNTIME, "cannot start a transfer: %s",
			       curl_multi_strerror(mc));
	}
	h->active++;
	return 0;
}

size_t bq_http_active(const bq_http *h)
{
	return h->active;
}

void bq_http_cancel(bq_http *h, bq_http_xfer *x)
{
	bq_http_xfer **pp, *prev = NULL;

	if (x->priv_easy) {
		xfer_detach(h, x);
		h->active--;
		return;
	}
	/* finished but not handed back yet: drop it from the queue */
	for (pp = &h->done_head; *pp; prev = *pp, pp = &(*pp)->next_done) {
		if (*pp == x) {
			*pp = x->next_done;
			if (h->done_tail == x)
				h->done_tail = prev;
			break;
		}
	}
}

static bq_http_xfer *pop_done(bq_http *h)
{
	bq_http_xfer *x = h->done_head;

	if (x) {
		h->done_head = x->next_done;
		if (!h->done_head)
			h->done_tail = NULL;
		x->next_done = NULL;
	}
	return x;
}

static size_t collect(bq_http *h)
{
	CURLMsg *m;
	int left;
	size_t n = 0;

	while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
		bq_http_xfer *x = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (x) {
			finish(h, x, m->data.result);
			n++;
		}
	}
	return n;
}

/* One round of work, waiting up to wait_ms when nothing finished at once;
 * finished transfers go to the done queue. */
static int drive(bq_http *h, int wait_ms, bq_err *err)
{
	int running;
	CURLMcode mc;

	h->depth++;
	mc = curl_multi_perform(h->multi, &running);
	if (mc == CURLM_OK && collect(h) == 0 && wait_ms > 0 && h->active) {
		mc = curl_multi_poll(h->multi, NULL, 0, wait_ms, NULL);
		if (mc == CURLM_OK)
			mc = curl_multi_perform(h->multi, &running);
		if (mc == CURLM_OK)
			collect(h);
	}
	h->depth--;
	if (mc != CURLM_OK)
		return bq_fail(err, BQ_EXIT_RUNTIME, "libcurl: %s",
			       curl_multi_strerror(mc));
	return 0;
}

int bq_http_poll(bq_http *h, double max_wait, bq_http_xfer **done,
		 bq_err *err)
{
	*done = pop_done(h);
	if (*done)
		return 1;
	if (!h->active)
		return 0;
	if (drive(h, max_wait > 0 ? (int)ceil(max_wait * 1000) : 0, err) < 0)
		return -1;
	*done = pop_done(h);
	return *done ? 1 : 0;
}

int bq_http_result(const bq_http_xfer *x, bq_err *err)
{
	const char *what;

	switch (x->fail) {
	case BQ_HTTP_OK:
		return 0;
	case BQ_HTTP_CONNECT:
		what = "cannot connect to";
		break;
	case BQ_HTTP_TIMEOUT:
		what = "timed out talking to";
		break;
	case BQ_HTTP_RESET:
		what = "connection lost with";
		break;
	case BQ_HTTP_TRUNCATED:
		what = "truncated response from";
		break;
	case BQ_HTTP_ABORTED:
		what = "transfer stopped from";
		break;
	case BQ_HTTP_TLS:
		what = "TLS failure with";
		break;
	default:
		what = "transfer failed with";
		break;
	}
	bq_fail(err, BQ_EXIT_RUNTIME, "%s %s://%s: %s", what,
		x->req ? x->req->scheme : "?", x->req ? x->req->host : "?",
		x->error);
	err->retryable = x->fail == BQ_HTTP_CONNECT || x->fail == BQ_HTTP_TIMEOUT ||
		x->fail == BQ_HTTP_RESET || x->fail == BQ_HTTP_TRUNCATED;
	return -1;
}

/* A blocking transfer from inside the multi handle's callbacks: on the
 * kept nested handle, or on a fresh one when that is busy (a nested call
 * inside a nested call). */
static int perform_nested(bq_http *h, bq_http_xfer *x, bq_err *err)
{
	bool kept = !h->nested_busy;
	CURL *e;
	CURLcode c;

	if (kept) {
		if (!h->nested)
			h->nested = curl_easy_init();
		else
			curl_easy_reset(h->nested); /* keeps its live connection */
		e = h->nested;
	} else {
		e = curl_easy_init();
	}
	if (setup(h, x, e, err) < 0) {
		if (!kept && x->priv_easy)
			curl_easy_cleanup(x->priv_easy);
		x->priv_easy = NULL;
		return -1;
	}
	if (kept)
		h->nested_busy = true;
	c = curl_easy_perform(e);
	conclude(x, c);
	if (kept)
		h->nested_busy = false;
	else
		curl_easy_cleanup(e);
	x->priv_easy = NULL;
	h->resumed_at = mono_now();
	return bq_http_result(x, err);
}

int bq_http_perform(bq_http *h, bq_http_xfer *x, bq_err *err)
{
	if (h->depth > 0)
		return perform_nested(h, x, err);
	if (bq_http_start(h, x, err) < 0)
		return -1;
	while (!x->done) {
		if (drive(h, 1000, err) < 0) {
			bq_http_cancel(h, x);
			return -1;
		}
	}
	/* x is in the done queue among others: take it out */
	bq_http_cancel(h, x);
	return bq_http_result(x, err);
}
