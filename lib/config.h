/*
 * config: the shared AWS config and credentials files.
 *
 * Files: AWS_CONFIG_FILE (default ~/.aws/config) and
 * AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials); a missing file
 * is an empty one.  Syntax, as botocore reads it: "[default]",
 * "[profile NAME]", "[sso-session NAME]", "[services NAME]" in the config
 * file and "[NAME]" in the credentials file; "key = value" (or "key: value"),
 * keys case-insensitive; whole-line comments starting with # or ;, and
 * inline comments after whitespace (" # ..."); an indented line continues
 * the previous key: when that key's value is empty, indented "sub = value"
 * lines are its nested keys (services sections, "s3 =" blocks), otherwise
 * the line is appended to the value after a newline.  A repeated section
 * or key merges, the later value winning.
 *
 * Profile lookups read the credentials file's [NAME] first, then the
 * config file's [profile NAME] (or [default] for "default").
 *
 * Ownership: bq_config_load/new give a bq_config the caller frees with
 * bq_config_free (which wipes every value: secrets live there).  Every
 * const char * returned is borrowed from the bq_config.
 */
#ifndef BQ_CONFIG_H
#define BQ_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

typedef struct bq_config bq_config;

enum bq_config_kind { BQ_CONFIG_FILE = 0, BQ_CREDENTIALS_FILE = 1 };

/* Reads both files.  A file that exists but cannot be read is an error
 * (status 2 naming it); a missing one is not. */
int bq_config_load(bq_config **out, bq_err *err);
/* An empty configuration; add text with bq_config_parse (tests). */
bq_config *bq_config_new(void);
/* Parses text as a config or credentials file named name (for messages). */
int bq_config_parse(bq_config *c, enum bq_config_kind kind, const char *name,
		    const char *text, size_t len, bq_err *err);
void bq_config_free(bq_config *c);

/* The path a kind was read from ("/home/u/.aws/config"), or NULL. */
const char *bq_config_path(const bq_config *c, enum bq_config_kind kind);

/* The profile to use: explicit (--profile) if non-NULL and non-empty,
 * else AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default". Borrowed
 * (from explicit or the environment or a literal). */
const char *bq_config_profile_name(const char *explicit_profile);
/* Whether either file has a section for the profile. */
bool bq_config_has_profile(const bq_config *c, const char *profile);
/* A profile key ("region"), or NULL when absent.  Empty values are ""
 * (a key given without value is present). */
const char *bq_config_get(const bq_config *c, const char *profile,
			  const char *key);
/* Same, but only from one file. */
const char *bq_config_get_in(const bq_config *c, enum bq_config_kind kind,
			     const char *profile, const char *key);
/* A nested key of a profile key ("s3" / "addressing_style"). */
const char *bq_config_get_sub(const bq_config *c, const char *profile,
			      const char *key, const char *sub);
/* A key of a typed config-file section: type "sso-session" or "services"
 * (or any other "[type NAME]"), sub NULL for a plain key or the nested key
 * ("[services x]" "bedrock_runtime" "endpoint_url"). */
const char *bq_config_section_get(const bq_config *c, const char *type,
				  const char *name, const char *key,
				  const char *sub);

/* $HOME (or the passwd entry) joined with rel ("~/.aws/config" style
 * expansion of a leading "~/"); malloc'd, NULL when out of memory. */
char *bq_config_expand_home(const char *path);

#endif
