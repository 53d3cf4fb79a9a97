#include "proto.h"

#include <stdlib.h>
#include <string.h>

#include <expat.h>

#define XML_PATH_MAX 1024
#define XML_DEPTH_MAX 64
#define XML_TEXT_DEFAULT_CAP ((size_t)64 << 10)

struct bq_xml {
	XML_Parser p;
	bq_xml_start_fn on_start;
	bq_xml_end_fn on_end;
	void *ud;
	char path[XML_PATH_MAX + 1];
	size_t plen[XML_DEPTH_MAX + 1]; /* path length at each depth */
	int depth;
	int skipped; /* depth beyond the caps: elements ignored */
	bq_buf text;
	size_t text_cap;
	bool truncated;
	bool has_child;
	int stopped;
	bool doctype;
};

static void stop(bq_xml *x, int why)
{
	if (!x->stopped)
		x->stopped = why;
	XML_StopParser(x->p, XML_FALSE);
}

static void XMLCALL on_start(void *ud, const XML_Char *name,
			     const XML_Char **atts)
{
	bq_xml *x = ud;
	size_t nl = strlen(name), cur;

	(void)atts;
	x->has_child = true; /* the parent now has a child */
	if (x->skipped || x->depth >= XML_DEPTH_MAX) {
		x->skipped++;
		return;
	}
	cur = x->plen[x->depth];
	if (cur + 1 + nl > XML_PATH_MAX) {
		x->skipped++;
		return;
	}
	x->path[cur] = '/';
	memcpy(x->path + cur + 1, name, nl);
	x->path[cur + 1 + nl] = '\0';
	x->depth++;
	x->plen[x->depth] = cur + 1 + nl;
	bq_buf_reset(&x->text);
	x->truncated = false;
	x->has_child = false;
	if (x->on_start) {
		int rc = x->on_start(x->ud, x->path);

		if (rc)
			stop(x, rc);
	}
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	bq_xml *x = ud;
	int rc = 0;

	(void)name;
	if (x->skipped) {
		x->skipped--;
		return;
	}
	if (x->on_end) {
		if (x->has_child)
			rc = x->on_end(x->ud, x->path, "", 0, false);
		else
			rc = x->on_end(x->ud, x->path, bq_buf_cstr(&x->text),
				       x->text.len, x->truncated);
	}
	bq_buf_reset(&x->text);
	x->truncated = false;
	x->has_child = true; /* text after a child is not the parent's */
	x->depth--;
	x->path[x->plen[x->depth]] = '\0';
	if (rc)
		stop(x, rc);
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	bq_xml *x = ud;
	size_t n = (size_t)len;

	if (x->skipped || x->has_child || len <= 0)
		return;
	if (x->text.len + n > x->text_cap) {
		n = x->text_cap - x->text.len;
		x->truncated = true;
	}
	if (n && bq_buf_append(&x->text, s, n) < 0)
		x->truncated = true;
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name,
			       const XML_Char *sysid, const XML_Char *pubid,
			       int has_internal_subset)
{
	bq_xml *x = ud;

	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	x->doctype = true;
	stop(x, -1);
}

bq_xml *bq_xml_new(bq_xml_start_fn start, bq_xml_end_fn end, void *ud,
		   size_t text_cap)
{
	bq_xml *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->p = XML_ParserCreate(NULL);
	if (!x->p) {
		free(x);
		return NULL;
	}
	x->on_start = start;
	x->on_end = end;
	x->ud = ud;
	x->text_cap = text_cap ? text_cap : XML_TEXT_DEFAULT_CAP;
	bq_buf_init(&x->text, 0);
	x->has_child = true;
	XML_SetUserData(x->p, x);
	XML_SetElementHandler(x->p, on_start, on_end);
	XML_SetCharacterDataHandler(x->p, on_text);
	XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
	return x;
}

int bq_xml_feed(bq_xml *x, const char *data, size_t n, bool final,
		const char *what, bq_err *err)
{
	while (n > 0 || final) {
		int chunk = n > (size_t)1 << 30 ? 1 << 30 : (int)n;
		bool last = final && (size_t)chunk == n;

		if (XML_Parse(x->p, data, chunk, last) == XML_STATUS_ERROR) {
			if (x->doctype)
				return bq_fail(err, BQ_EXIT_RUNTIME,
					       "bad XML from %s: DOCTYPE refused", what);
			if (x->stopped)
				return bq_fail(err, BQ_EXIT_RUNTIME,
					       "XML from %s: parsing stopped", what);
			return bq_fail(err, BQ_EXIT_RUNTIME,
				       "bad XML from %s: %s at line %lu", what,
				       XML_ErrorString(XML_GetErrorCode(x->p)),
				       (unsigned long)XML_GetCurrentLineNumber(x->p));
		}
		if (last)
			break;
		/* No arithmetic on data when it is NULL: the final call of a
		 * stream is (NULL, 0, true). */
		data += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

int bq_xml_stopped(const bq_xml *x)
{
	return x->stopped;
}

void bq_xml_free(bq_xml *x)
{
	if (!x)
		return;
	XML_ParserFree(x->p);
	bq_buf_release_secure(&x->text); /* STS answers carry secrets */
	free(x);
}

bool bq_proto_looks_xml(const char *body, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' ||
		    body[i] == '\n')
			continue;
		return body[i] == '<';
	}
	return false;
}
