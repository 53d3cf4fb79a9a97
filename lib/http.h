/*
 * http: the libcurl wrapper.  One bq_http per client holds a curl multi
 * handle, so connections stay alive across calls and many transfers can be
 * in flight at once; a single blocking call is just one transfer driven to
 * its end (other transfers in flight progress meanwhile and are queued for
 * bq_http_poll).
 *
 * Every transfer: TLS verification on (CA bundle from opts), HTTP/1.1, no
 * "Expect: 100-continue", no redirects, the client's connect timeout and a
 * read timeout (no byte either way for read_timeout seconds aborts; checked
 * by a progress callback, since libcurl's low-speed limit averages over a
 * window and can miss a stall), proxies from the
 * environment as libcurl reads them (http_proxy, https_proxy, NO_PROXY /
 * no_proxy), and, with opts.debug, the exchange dumped through
 * bq_log_write (so redacted).
 *
 * Ownership: bq_http_new gives a handle freed by bq_http_free (which
 * cancels transfers still running).  A bq_http_xfer is the caller's
 * (usually embedded in a bigger struct): bq_http_xfer_init, then set
 * req/on_body/..., then bq_http_perform or bq_http_start; read status,
 * headers and body; bq_http_xfer_reset before another attempt;
 * bq_http_xfer_release at the end.  The request (and its body) are
 * borrowed until the transfer is done.
 *
 * Re-entrance: bq_http_perform may be called from inside a transfer's own
 * callbacks (on_body streaming into code that makes another call).  libcurl
 * refuses to add a transfer to a multi handle from its callbacks, so such a
 * nested call runs on an easy handle of its own (kept for the next nested
 * call, so its connection stays alive); the transfers of the multi handle
 * wait meanwhile, and the wait does not count against their read timeout.
 */
#ifndef BQ_HTTP_H
#define BQ_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "request.h"

typedef struct bq_http bq_http;

typedef struct bq_http_opts {
	double connect_timeout; /* seconds; 0: 10 */
	double read_timeout;    /* seconds without a byte; 0: 60 */
	const char *ca_bundle;  /* PEM file, or NULL for the system store */
	const char *user_agent; /* NULL: "bq/<version>" */
	bool debug;
} bq_http_opts;

/* How a transfer failed before a complete HTTP response arrived. */
enum bq_http_fail {
	BQ_HTTP_OK = 0,
	BQ_HTTP_CONNECT,   /* resolve/connect failed (nothing was sent) */
	BQ_HTTP_TIMEOUT,   /* connect or read timeout */
	BQ_HTTP_RESET,     /* connection reset / closed / nothing received */
	BQ_HTTP_TRUNCATED, /* body shorter than announced, bad encoding */
	BQ_HTTP_ABORTED,   /* on_body asked to stop */
	BQ_HTTP_TLS,       /* certificate or TLS failure (not retried) */
	BQ_HTTP_OTHER
};

/* Streaming sink for 2xx bodies: return 0 to go on, non-zero to stop the
 * transfer (it then fails with BQ_HTTP_ABORTED and abort_code = value). */
typedef int (*bq_http_body_fn)(void *ud, const char *data, size_t n);

typedef struct bq_http_xfer {
	/* in */
	const bq_request *req;    /* borrowed */
	bq_http_body_fn on_body;  /* NULL: 2xx bodies go to body */
	void *body_ud;
	bool decode;              /* send Accept-Encoding, decode gzip/deflate */
	double connect_timeout;   /* overrides; 0: client default */
	double read_timeout;
	double total_timeout;     /* 0: none */
	size_t max_body;          /* cap on body; 0: 1 GiB */
	void *user;               /* the caller's */
	/* out (valid once done) */
	int status;               /* HTTP status, 0 when none arrived */
	bq_buf body;              /* non-2xx bodies always land here */
	char **headers;           /* "name: value", name lower-cased */
	size_t nheaders;
	enum bq_http_fail fail;
	int abort_code;           /* on_body's stop value */
	char error[256];          /* libcurl's text when fail != OK */
	size_t body_bytes;        /* body bytes received (2xx, sink or buf) */
	/* private */
	void *priv_easy;
	void *priv_hdrs;
	char *priv_url;
	size_t hcap;
	double priv_active;       /* monotonic time of the last byte */
	void *priv_http;          /* the bq_http running it */
	double priv_rt;           /* read timeout in force */
	long long priv_dl, priv_ul;
	bool done;
	struct bq_http_xfer *next_done;
} bq_http_xfer;

int bq_http_new(bq_http **out, const bq_http_opts *opts, bq_err *err);
void bq_http_free(bq_http *h);
/* Turns --debug on or off later. */
void bq_http_set_debug(bq_http *h, bool on);

void bq_http_xfer_init(bq_http_xfer *x);
/* Clears the outputs (status, body, headers, failure) for a new attempt. */
void bq_http_xfer_reset(bq_http_xfer *x);
/* Frees what the transfer holds (not req). */
void bq_http_xfer_release(bq_http_xfer *x);
/* Value of the first header with this name (case-insensitive), borrowed. */
const char *bq_http_xfer_header(const bq_http_xfer *x, const char *name);

/* Blocking: runs x to its end.  0 when a complete response arrived
 * (any status; see x->status), -1 with err filled when the transfer
 * failed (err->retryable for network failures worth retrying). */
int bq_http_perform(bq_http *h, bq_http_xfer *x, bq_err *err);

/* Non-blocking use: start x, then call bq_http_poll until it hands x back.
 * Returns -1 with err only when x could not be started. */
int bq_http_start(bq_http *h, bq_http_xfer *x, bq_err *err);
/* Drives transfers for at most max_wait seconds (0: do not wait) and
 * returns 1 with *done = a finished transfer, or 0 when none finished in
 * time.  -1 with err on a libcurl failure. */
int bq_http_poll(bq_http *h, double max_wait, bq_http_xfer **done,
		 bq_err *err);
/* Transfers started and not yet handed back by poll/perform. */
size_t bq_http_active(const bq_http *h);
/* Stops a started transfer; it is not handed back. */
void bq_http_cancel(bq_http *h, bq_http_xfer *x);
/* For a finished transfer: 0 when a response arrived, else -1 with err
 * describing the network failure (as bq_http_perform). */
int bq_http_result(const bq_http_xfer *x, bq_err *err);

#endif
