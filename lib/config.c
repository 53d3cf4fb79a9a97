#include "config.h"
#include "buf.h"

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define CONFIG_MAX_FILE ((size_t)16 << 20)

typedef struct cfg_kv {
	char *key;
	char *value;
	struct cfg_kv *subs;
	size_t nsubs;
} cfg_kv;

typedef struct cfg_section {
	enum bq_config_kind kind;
	char *type; /* "profile" for profiles; "sso-session", "services", ... */
	char *name;
	cfg_kv *kv;
	size_t nkv;
} cfg_section;

struct bq_config {
	cfg_section *sec;
	size_t nsec;
	char *path[2];
};

bq_config *bq_config_new(void)
{
	return calloc(1, sizeof(bq_config));
}

static void kv_free(cfg_kv *kv)
{
	size_t i;

	for (i = 0; i < kv->nsubs; i++)
		kv_free(&kv->subs[i]);
	free(kv->subs);
	free(kv->key);
	bq_free_secret(kv->value);
}

void bq_config_free(bq_config *c)
{
	size_t i, j;

	if (!c)
		return;
	for (i = 0; i < c->nsec; i++) {
		for (j = 0; j < c->sec[i].nkv; j++)
			kv_free(&c->sec[i].kv[j]);
		free(c->sec[i].kv);
		free(c->sec[i].type);
		free(c->sec[i].name);
	}
	free(c->sec);
	free(c->path[0]);
	free(c->path[1]);
	free(c);
}

const char *bq_config_path(const bq_config *c, enum bq_config_kind kind)
{
	return c ? c->path[kind ? 1 : 0] : NULL;
}

/* ---- parsing ---- */

static char *dup_trim(const char *s, size_t n)
{
	char *r;

	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	r = malloc(n + 1);
	if (r) {
		memcpy(r, s, n);
		r[n] = '\0';
	}
	return r;
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static cfg_section *find_section(bq_config *c, enum bq_config_kind kind,
				 const char *type, const char *name)
{
	size_t i;

	for (i = 0; i < c->nsec; i++)
		if (c->sec[i].kind == kind && strcmp(c->sec[i].type, type) == 0 &&
		    strcmp(c->sec[i].name, name) == 0)
			return &c->sec[i];
	return NULL;
}

static cfg_section *add_section(bq_config *c, enum bq_config_kind kind,
				const char *type, const char *name)
{
	cfg_section *s = find_section(c, kind, type, name), *n;

	if (s)
		return s;
	n = realloc(c->sec, (c->nsec + 1) * sizeof(*n));
	if (!n)
		return NULL;
	c->sec = n;
	s = &c->sec[c->nsec];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->type = strdup(type);
	s->name = strdup(name);
	if (!s->type || !s->name) {
		free(s->type);
		free(s->name);
		return NULL;
	}
	c->nsec++;
	return s;
}

/* Sets key in a kv array (replacing an earlier one); returns the entry. */
static cfg_kv *kv_set(cfg_kv **arr, size_t *n, char *key, char *value)
{
	size_t i;
	cfg_kv *na;

	for (i = 0; i < *n; i++) {
		if (strcmp((*arr)[i].key, key) == 0) {
			cfg_kv *kv = &(*arr)[i];
			size_t j;

			free(key);
			bq_free_secret(kv->value);
			kv->value = value;
			for (j = 0; j < kv->nsubs; j++)
				kv_free(&kv->subs[j]);
			free(kv->subs);
			kv->subs = NULL;
			kv->nsubs = 0;
			return kv;
		}
	}
	na = realloc(*arr, (*n + 1) * sizeof(*na));
	if (!na) {
		free(key);
		bq_free_secret(value);
		return NULL;
	}
	*arr = na;
	na[*n].key = key;
	na[*n].value = value;
	na[*n].subs = NULL;
	na[*n].nsubs = 0;
	return &na[(*n)++];
}

/* Cuts an inline comment: '#' or ';' preceded by whitespace. */
static size_t strip_inline_comment(const char *v, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if ((v[i] == '#' || v[i] == ';') && isspace((unsigned char)v[i - 1]))
			return i;
	return n;
}

/* Splits "key = value"; returns -1 when the line has no delimiter. */
static int split_kv(const char *line, size_t n, char **key, char **value)
{
	size_t i;

	for (i = 0; i < n && line[i] != '=' && line[i] != ':'; i++)
		;
	if (i == n || i == 0)
		return -1;
	*key = dup_trim(line, i);
	*value = dup_trim(line + i + 1,
			  strip_inline_comment(line + i + 1, n - i - 1));
	if (!*key || !*value || !**key) {
		free(*key);
		bq_free_secret(*value);
		*key = *value = NULL;
		return -1;
	}
	lower(*key);
	return 0;
}

static int parse_header(bq_config *c, enum bq_config_kind kind,
			const char *h, size_t n, cfg_section **out)
{
	char *inner = dup_trim(h, n), *sp;
	int rc = 0;

	if (!inner)
		return -1;
	*out = NULL;
	if (kind == BQ_CREDENTIALS_FILE) {
		*out = add_section(c, kind, "profile", inner);
	} else if (strcmp(inner, "default") == 0) {
		*out = add_section(c, kind, "profile", "default");
	} else if ((sp = strpbrk(inner, " \t")) != NULL) {
		char *name = sp;

		*sp = '\0';
		name++;
		while (*name == ' ' || *name == '\t')
			name++;
		if (*name)
			*out = add_section(c, kind, inner, name);
		else
			rc = 1; /* "[profile ]": ignored */
	} else {
		rc = 1; /* config-file sections without a type are ignored */
	}
	if (rc == 0 && !*out)
		rc = -1;
	free(inner);
	return rc;
}

int bq_config_parse(bq_config *c, enum bq_config_kind kind, const char *name,
		    const char *text, size_t len, bq_err *err)
{
	const char *p = text, *end = text + len;
	cfg_section *sec = NULL;
	cfg_kv *last = NULL;
	bool ignoring = false;
	int lineno = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *s = p, *p_line = p;
		bool indented;
		size_t n;

		lineno++;
		p = nl ? nl + 1 : end;
		if (le > s && le[-1] == '\r')
			le--;
		n = (size_t)(le - s);
		while (n && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		indented = s != p_line;
		if (n == 0) {
			last = NULL;
			continue;
		}
		if (*s == '#' || *s == ';')
			continue;
		if (indented && last) {
			/* indented: continuation of the previous key */
			char *k, *v;

			if (last->value[0] == '\0' || last->nsubs) {
				if (split_kv(s, n, &k, &v) < 0)
					return bq_fail(err, BQ_EXIT_USAGE,
						       "%s:%d: expected 'key = value' in a nested block",
						       name, lineno);
				if (!kv_set(&last->subs, &last->nsubs, k, v))
					return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
			} else {
				bq_buf b = BQ_BUF_INIT;
				size_t cn = strip_inline_comment(s, n);

				while (cn && isspace((unsigned char)s[cn - 1]))
					cn--;
				if (bq_buf_puts(&b, last->value) < 0 ||
				    bq_buf_putc(&b, '\n') < 0 ||
				    bq_buf_append(&b, s, cn) < 0) {
					bq_buf_release_secure(&b);
					return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
				}
				bq_free_secret(last->value);
				last->value = bq_buf_detach(&b);
			}
			continue;
		}
		last = NULL;
		if (*s == '[') {
			const char *close = memchr(s, ']', n);
			int rc;

			if (!close)
				return bq_fail(err, BQ_EXIT_USAGE,
					       "%s:%d: section header without ']'",
					       name, lineno);
			rc = parse_header(c, kind, s + 1, (size_t)(close - s - 1), &sec);
			if (rc < 0)
				return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
			ignoring = rc > 0;
			continue;
		}
		{
			char *k, *v;

			if (split_kv(s, n, &k, &v) < 0)
				return bq_fail(err, BQ_EXIT_USAGE,
					       "%s:%d: expected 'key = value' or '[section]'",
					       name, lineno);
			if (!sec || ignoring) {
				/* keys before any section, or in ignored ones */
				free(k);
				bq_free_secret(v);
				continue;
			}
			last = kv_set(&sec->kv, &sec->nkv, k, v);
			if (!last)
				return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		}
	}
	return 0;
}

/* ---- loading ---- */

char *bq_config_expand_home(const char *path)
{
	const char *home;
	bq_buf b = BQ_BUF_INIT;

	if (!path)
		return NULL;
	if (path[0] != '~' || (path[1] != '/' && path[1] != '\0'))
		return strdup(path);
	home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());

		home = pw ? pw->pw_dir : "";
	}
	if (bq_buf_puts(&b, home) < 0 || bq_buf_puts(&b, path + 1) < 0) {
		bq_buf_release(&b);
		return NULL;
	}
	return bq_buf_detach(&b);
}

static int load_file(bq_config *c, enum bq_config_kind kind, const char *env,
		     const char *deflt, bq_err *err)
{
	const char *p = getenv(env);
	char *path = bq_config_expand_home(p && *p ? p : deflt);
	FILE *f;
	bq_buf b;
	char chunk[8192];
	size_t n;
	int rc;

	if (!path)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	c->path[kind] = path;
	f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return bq_fail(err, BQ_EXIT_USAGE, "cannot read '%s': %s", path,
			       strerror(errno));
	}
	bq_buf_init(&b, CONFIG_MAX_FILE);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (bq_buf_append(&b, chunk, n) < 0) {
			fclose(f);
			bq_wipe(chunk, sizeof(chunk));
			bq_buf_release_secure(&b);
			return bq_fail(err, BQ_EXIT_USAGE, "'%s' is too big", path);
		}
	}
	bq_wipe(chunk, sizeof(chunk));
	if (ferror(f)) {
		fclose(f);
		bq_buf_release_secure(&b);
		return bq_fail(err, BQ_EXIT_USAGE, "cannot read '%s'", path);
	}
	fclose(f);
	rc = bq_config_parse(c, kind, path, bq_buf_cstr(&b), b.len, err);
	bq_buf_release_secure(&b);
	return rc;
}

int bq_config_load(bq_config **out, bq_err *err)
{
	bq_config *c = bq_config_new();

	*out = NULL;
	if (!c)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	if (load_file(c, BQ_CONFIG_FILE, "AWS_CONFIG_FILE", "~/.aws/config", err) < 0 ||
	    load_file(c, BQ_CREDENTIALS_FILE, "AWS_SHARED_CREDENTIALS_FILE",
		      "~/.aws/credentials", err) < 0) {
		bq_config_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

/* ---- lookups ---- */

const char *bq_config_profile_name(const char *explicit_profile)
{
	const char *p;

	if (explicit_profile && *explicit_profile)
		return explicit_profile;
	p = getenv("AWS_PROFILE");
	if (p && *p)
		return p;
	p = getenv("AWS_DEFAULT_PROFILE");
	if (p && *p)
		return p;
	return "default";
}

static const cfg_section *const_find(const bq_config *c,
				     enum bq_config_kind kind,
				     const char *type, const char *name)
{
	return c ? find_section((bq_config *)c, kind, type, name) : NULL;
}

static const cfg_kv *kv_find(const cfg_kv *arr, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(arr[i].key, key) == 0)
			return &arr[i];
	return NULL;
}

bool bq_config_has_profile(const bq_config *c, const char *profile)
{
	return const_find(c, BQ_CREDENTIALS_FILE, "profile", profile) ||
	       const_find(c, BQ_CONFIG_FILE, "profile", profile);
}

static const cfg_kv *profile_kv(const bq_config *c, enum bq_config_kind kind,
				const char *profile, const char *key)
{
	const cfg_section *s = const_find(c, kind, "profile", profile);

	return s ? kv_find(s->kv, s->nkv, key) : NULL;
}

const char *bq_config_get_in(const bq_config *c, enum bq_config_kind kind,
			     const char *profile, const char *key)
{
	const cfg_kv *kv = profile_kv(c, kind, profile, key);

	return kv ? kv->value : NULL;
}

const char *bq_config_get(const bq_config *c, const char *profile,
			  const char *key)
{
	const char *v = bq_config_get_in(c, BQ_CREDENTIALS_FILE, profile, key);

	return v ? v : bq_config_get_in(c, BQ_CONFIG_FILE, profile, key);
}

const char *bq_config_get_sub(const bq_config *c, const char *profile,
			      const char *key, const char *sub)
{
	const cfg_kv *kv = profile_kv(c, BQ_CREDENTIALS_FILE, profile, key), *s;

	if (!kv)
		kv = profile_kv(c, BQ_CONFIG_FILE, profile, key);
	if (!kv)
		return NULL;
	s = kv_find(kv->subs, kv->nsubs, sub);
	return s ? s->value : NULL;
}

const char *bq_config_section_get(const bq_config *c, const char *type,
				  const char *name, const char *key,
				  const char *sub)
{
	const cfg_section *s = const_find(c, BQ_CONFIG_FILE, type, name);
	const cfg_kv *kv;

	if (!s || !(kv = kv_find(s->kv, s->nkv, key)))
		return NULL;
	if (!sub)
		return kv->value;
	kv = kv_find(kv->subs, kv->nsubs, sub);
	return kv ? kv->value : NULL;
}
