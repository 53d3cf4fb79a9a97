/* config: shared config and credentials file parsing. */
#include "config.h"
#include "t.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char config_text[] =
	"# a comment\n"
	"; another comment\n"
	"[default]\n"
	"region = eu-west-1\n"
	"output=json\n"
	"\n"
	"[profile dev]\n"
	"Region = us-west-2   # inline comment\n"
	"role_arn = arn:aws:iam::123456789012:role/dev\n"
	"source_profile = default\n"
	"services = local\n"
	"s3 =\n"
	"  addressing_style = path\n"
	"  ; a comment in a block\n"
	"  max_concurrent_requests = 4\n"
	"credential_process = /opt/bin/creds --profile dev\n"
	"  --extra arg\n"
	"\n"
	"[profile   spaced   ]\n"
	"region = ap-south-1\n"
	"[sso-session corp]\n"
	"sso_start_url = https://corp.awsapps.com/start\n"
	"sso_region = eu-central-1\n"
	"[services local]\n"
	"cloudwatch_logs =\n"
	"  endpoint_url = http://localhost:4566\n"
	"bedrock_runtime =\n"
	"\tendpoint_url = http://localhost:9000\n"
	"[plain]\n"
	"region = ignored-1\n"
	"[profile dev]\n"
	"output = text\n";

static const char creds_text[] =
	"[default]\r\n"
	"aws_access_key_id = AKIDDEFAULT\r\n"
	"aws_secret_access_key = secretdefault\r\n"
	"[dev]\n"
	"region = from-credentials-1\n"
	"[profile x]\n"
	"aws_access_key_id = AKIDPROFILEX\n";

int main(void)
{
	bq_config *c = bq_config_new();
	bq_err err;
	char path[] = "/tmp/bqcfgXXXXXX";
	int fd;
	FILE *f;

	T_OK(c != NULL, "new config");
	T_OK(bq_config_parse(c, BQ_CONFIG_FILE, "config", config_text,
			     sizeof(config_text) - 1, &err) == 0,
	     "config file parses");
	T_OK(bq_config_parse(c, BQ_CREDENTIALS_FILE, "credentials", creds_text,
			     sizeof(creds_text) - 1, &err) == 0,
	     "credentials file parses (CRLF too)");

	T_STREQ(bq_config_get(c, "default", "region"), "eu-west-1", "[default] region");
	T_STREQ(bq_config_get(c, "default", "output"), "json", "key=value without blanks");
	T_STREQ(bq_config_get(c, "default", "aws_access_key_id"), "AKIDDEFAULT",
		"credentials [default] key");
	T_STREQ(bq_config_get(c, "dev", "region"), "from-credentials-1",
		"the credentials file wins for a profile key");
	T_STREQ(bq_config_get_in(c, BQ_CONFIG_FILE, "dev", "region"), "us-west-2",
		"keys are case-insensitive, inline comment cut");
	T_STREQ(bq_config_get(c, "dev", "output"), "text", "a repeated section merges");
	T_STREQ(bq_config_get(c, "dev", "role_arn"),
		"arn:aws:iam::123456789012:role/dev", "value with colons");
	T_STREQ(bq_config_get(c, "dev", "s3"), "", "a block key has an empty value");
	T_STREQ(bq_config_get_sub(c, "dev", "s3", "addressing_style"), "path",
		"nested key");
	T_STREQ(bq_config_get_sub(c, "dev", "s3", "max_concurrent_requests"), "4",
		"nested key after a comment line");
	T_STREQ(bq_config_get(c, "dev", "credential_process"),
		"/opt/bin/creds --profile dev\n--extra arg", "continuation line");
	T_STREQ(bq_config_get(c, "spaced", "region"), "ap-south-1",
		"blanks around a profile name");
	T_STREQ(bq_config_section_get(c, "sso-session", "corp", "sso_region", NULL),
		"eu-central-1", "sso-session section");
	T_STREQ(bq_config_section_get(c, "services", "local", "cloudwatch_logs",
				      "endpoint_url"),
		"http://localhost:4566", "services section nested endpoint");
	T_STREQ(bq_config_section_get(c, "services", "local", "bedrock_runtime",
				      "endpoint_url"),
		"http://localhost:9000", "tab-indented nested key");
	T_OK(!bq_config_has_profile(c, "plain"),
	     "config-file sections without a type are not profiles");
	T_OK(bq_config_has_profile(c, "profile x"),
	     "in the credentials file '[profile x]' is a profile named 'profile x'");
	T_OK(bq_config_get(c, "nope", "region") == NULL, "unknown profile gives NULL");
	T_OK(bq_config_get(c, "default", "nope") == NULL, "unknown key gives NULL");
	bq_config_free(c);

	c = bq_config_new();
	T_OK(bq_config_parse(c, BQ_CONFIG_FILE, "bad", "[default]\nnot a pair\n", 20,
			     &err) < 0 && err.exit_status == BQ_EXIT_USAGE &&
	     strstr(err.message, "bad:2") != NULL,
	     "a line without '=' is an error naming file and line");
	T_OK(bq_config_parse(c, BQ_CONFIG_FILE, "bad2", "[default\n", 9, &err) < 0,
	     "an unterminated section header is an error");
	bq_config_free(c);

	/* loading from AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE */
	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f) {
		fputs("[profile from-env]\nregion = sa-east-1\n", f);
		fclose(f);
		setenv("AWS_CONFIG_FILE", path, 1);
		setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
		T_OK(bq_config_load(&c, &err) == 0, "load with a missing credentials file");
		T_STREQ(bq_config_get(c, "from-env", "region"), "sa-east-1",
			"AWS_CONFIG_FILE is read");
		T_STREQ(bq_config_path(c, BQ_CREDENTIALS_FILE), "/nonexistent/credentials",
			"AWS_SHARED_CREDENTIALS_FILE path kept for messages");
		bq_config_free(c);
		unlink(path);
	} else {
		T_SKIP("cannot create a temporary file");
	}

	setenv("HOME", "/home/someone", 1);
	{
		char *p = bq_config_expand_home("~/.aws/config");

		T_STREQ(p, "/home/someone/.aws/config", "~ expands to $HOME");
		free(p);
	}
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_DEFAULT_PROFILE");
	T_STREQ(bq_config_profile_name(NULL), "default", "profile defaults to default");
	setenv("AWS_DEFAULT_PROFILE", "older", 1);
	T_STREQ(bq_config_profile_name(NULL), "older", "AWS_DEFAULT_PROFILE");
	setenv("AWS_PROFILE", "envp", 1);
	T_STREQ(bq_config_profile_name(NULL), "envp", "AWS_PROFILE wins over AWS_DEFAULT_PROFILE");
	T_STREQ(bq_config_profile_name("opt"), "opt", "--profile wins");
	return T_DONE();
}
