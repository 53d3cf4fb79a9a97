#include "endpoint.h"
#include "buf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool truthy(const char *v)
{
	return v && strcasecmp(v, "true") == 0;
}

int bq_region_resolve(const char *opt_region, const bq_config *cfg,
		      const char *profile, char **out, bq_err *err)
{
	const char *r = opt_region;

	if (!r || !*r)
		r = getenv("AWS_REGION");
	if (!r || !*r)
		r = getenv("AWS_DEFAULT_REGION");
	if ((!r || !*r) && cfg && profile)
		r = bq_config_get(cfg, profile, "region");
	if (!r || !*r)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "no region: use --region, AWS_REGION or a 'region' in profile '%s'",
			       profile ? profile : "default");
	for (const char *p = r; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-')
			return bq_fail(err, BQ_EXIT_USAGE, "bad region '%s'", r);
	*out = strdup(r);
	return *out ? 0 : bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
}

int bq_url_split(const char *url, char **scheme, char **host, char **path,
		 bq_err *err)
{
	const char *p, *h, *hend, *port = NULL;
	size_t sl;

	*scheme = *host = *path = NULL;
	if (strncasecmp(url, "https://", 8) == 0)
		sl = 5;
	else if (strncasecmp(url, "http://", 7) == 0)
		sl = 4;
	else
		return bq_fail(err, BQ_EXIT_USAGE,
			       "endpoint '%s' is not an http:// or https:// URL", url);
	h = url + sl + 3;
	if (*h == '[') {
		hend = strchr(h, ']');
		if (!hend)
			return bq_fail(err, BQ_EXIT_USAGE, "bad endpoint '%s'", url);
		hend++;
	} else {
		hend = h + strcspn(h, ":/?#");
	}
	if (hend == h)
		return bq_fail(err, BQ_EXIT_USAGE, "endpoint '%s' has no host", url);
	p = hend;
	if (*p == ':') {
		port = p + 1;
		p = port + strspn(port, "0123456789");
		if (p == port || p - port > 5 || (*p && *p != '/' ))
			return bq_fail(err, BQ_EXIT_USAGE, "bad port in endpoint '%s'", url);
	}
	if (strpbrk(p, "?#"))
		return bq_fail(err, BQ_EXIT_USAGE,
			       "endpoint '%s' must not have a query or fragment", url);
	*scheme = strndup(url, sl);
	if (*scheme) {
		for (char *c = *scheme; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	}
	{
		/* Host header form: default ports left out */
		long pn = port ? strtol(port, NULL, 10) : 0;
		bool dflt = !port || (sl == 5 && pn == 443) || (sl == 4 && pn == 80);

		*host = strndup(h, (size_t)((dflt ? hend : p) - h));
		if (*host)
			for (char *c = *host; *c && *c != ':'; c++)
				*c = (char)tolower((unsigned char)*c);
	}
	{
		size_t n = strlen(p);

		while (n && p[n - 1] == '/')
			n--;
		*path = strndup(p, n);
	}
	if (!*scheme || !*host || !*path) {
		free(*scheme);
		free(*host);
		free(*path);
		*scheme = *host = *path = NULL;
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	return 0;
}

void bq_endpoint_free(bq_endpoint *e)
{
	if (!e)
		return;
	free(e->url);
	free(e->scheme);
	free(e->host);
	free(e->base_path);
	free(e->signing_region);
	memset(e, 0, sizeof(*e));
}

/* The configured endpoint for a service and where it came from. */
static const char *configured_url(const bq_service *s, const char *opt_url,
				  const bq_config *cfg, const char *profile,
				  const char **origin, char *envname,
				  size_t envsize)
{
	const char *v;

	if (opt_url && *opt_url) {
		*origin = "--endpoint-url";
		return opt_url;
	}
	if (truthy(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")))
		return NULL;
	if (!getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") && cfg && profile &&
	    truthy(bq_config_get(cfg, profile, "ignore_configured_endpoint_urls")))
		return NULL;
	bq_snprintf(envname, envsize, "AWS_ENDPOINT_URL_%s", s->env_suffix);
	v = getenv(envname);
	if (v && *v) {
		*origin = envname;
		return v;
	}
	v = getenv("AWS_ENDPOINT_URL");
	if (v && *v) {
		*origin = "AWS_ENDPOINT_URL";
		return v;
	}
	if (cfg && profile) {
		const char *svcs = bq_config_get(cfg, profile, "services");

		if (svcs && *svcs) {
			v = bq_config_section_get(cfg, "services", svcs,
						  s->config_key, "endpoint_url");
			if (v && *v) {
				*origin = "services section";
				return v;
			}
		}
		v = bq_config_get(cfg, profile, "endpoint_url");
		if (v && *v) {
			*origin = "profile endpoint_url";
			return v;
		}
	}
	return NULL;
}

static const char *fixed_region(const bq_service *s, const char *region)
{
	if (!s->fixed_region)
		return region;
	if (s->id == BQ_SVC_PRICING && region &&
	    (strcmp(region, "ap-south-1") == 0 || strcmp(region, "eu-central-1") == 0))
		return region;
	if (region && strncmp(region, "cn-", 3) == 0 && s->id == BQ_SVC_CE)
		return "cn-northwest-1";
	return s->fixed_region;
}

int bq_endpoint_resolve(bq_service_id svc, const char *region,
			const char *opt_url, const bq_config *cfg,
			const char *profile, bq_endpoint *out, bq_err *err)
{
	const bq_service *s = bq_service_get(svc);
	const char *url, *origin = NULL, *sreg;
	char envname[96];
	bq_buf b = BQ_BUF_INIT;

	memset(out, 0, sizeof(*out));
	if (!s)
		return bq_fail(err, BQ_EXIT_RUNTIME, "unknown service id %d", (int)svc);
	sreg = fixed_region(s, region);
	if (!sreg || !*sreg)
		return bq_fail(err, BQ_EXIT_USAGE, "no region for %s", s->service_id);
	url = configured_url(s, opt_url, cfg, profile, &origin, envname,
			     sizeof(envname));
	if (url) {
		if (bq_url_split(url, &out->scheme, &out->host, &out->base_path,
				 err) < 0)
			return -1;
		out->custom = true;
		out->origin = origin == envname ? NULL : origin;
	} else {
		const char *dns = strncmp(sreg, "cn-", 3) == 0 ?
			"amazonaws.com.cn" : "amazonaws.com";

		if (bq_buf_printf(&b, "%s.%s.%s", s->endpoint_prefix, sreg, dns) < 0)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		out->scheme = strdup("https");
		out->host = bq_buf_detach(&b);
		out->base_path = strdup("");
		out->origin = "aws";
	}
	if (origin == envname)
		out->origin = "AWS_ENDPOINT_URL_<SERVICE>";
	out->signing_region = strdup(sreg);
	out->signing_name = s->signing_name;
	if (out->scheme && out->host && out->base_path &&
	    bq_buf_printf(&b, "%s://%s%s", out->scheme, out->host, out->base_path) == 0)
		out->url = bq_buf_detach(&b);
	if (!out->url || !out->signing_region) {
		bq_buf_release(&b);
		bq_endpoint_free(out);
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	return 0;
}

/* Virtual-hosted style needs a name that is one DNS label: no dots (the
 * wildcard certificate covers one level), lower case, 3-63 chars. */
static bool dns_bucket(const char *b)
{
	size_t n = strlen(b), i;

	if (n < 3 || n > 63 || b[0] == '-' || b[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)b[i]) || isdigit((unsigned char)b[i]) ||
		      b[i] == '-'))
			return false;
	return true;
}

int bq_endpoint_s3_target(const bq_endpoint *e, const char *bucket,
			  const char *key_path, bool force_path_style,
			  char **host, char **path, bq_err *err)
{
	bq_buf h = BQ_BUF_INIT, p = BQ_BUF_INIT;
	int rc;

	*host = *path = NULL;
	if (!bucket || !*bucket)
		return bq_fail(err, BQ_EXIT_USAGE, "empty bucket name");
	if (!e->custom && !force_path_style && dns_bucket(bucket)) {
		rc = bq_buf_printf(&h, "%s.%s", bucket, e->host);
		if (rc == 0)
			rc = bq_buf_printf(&p, "%s%s", e->base_path,
					   *key_path ? key_path : "/");
	} else {
		rc = bq_buf_puts(&h, e->host);
		if (rc == 0)
			rc = bq_buf_puts(&p, e->base_path);
		if (rc == 0)
			rc = bq_buf_putc(&p, '/');
		/* bucket names are [a-z0-9.-] (or legacy [A-Za-z0-9._-]):
		 * nothing to encode, but be safe */
		for (const char *c = bucket; rc == 0 && *c; c++) {
			if (isalnum((unsigned char)*c) || strchr("-._~", *c))
				rc = bq_buf_putc(&p, *c);
			else
				rc = bq_buf_printf(&p, "%%%02X", (unsigned char)*c);
		}
		if (rc == 0)
			rc = bq_buf_puts(&p, key_path);
	}
	if (rc < 0) {
		bq_buf_release(&h);
		bq_buf_release(&p);
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	*host = bq_buf_detach(&h);
	*path = bq_buf_detach(&p);
	return 0;
}
