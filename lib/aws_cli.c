#include "aws.h"
#include "cli.h"

void bq_aws_config_from_cli(bq_aws_config *cfg, const struct bq_cli *cli)
{
	cfg->profile = cli->profile;
	cfg->region = cli->region;
	cfg->endpoint_url = cli->endpoint_url;
	cfg->max_attempts = cli->max_attempts;
	if (cli->connect_timeout_ms > 0)
		cfg->connect_timeout = (double)cli->connect_timeout_ms / 1000.0;
	if (cli->read_timeout_ms > 0)
		cfg->read_timeout = (double)cli->read_timeout_ms / 1000.0;
	cfg->debug = cli->debug;
}
