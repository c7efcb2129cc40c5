// SPDX-License-Identifier: Apache-2.0
//
// audit_anomalies.c -- fedscore audit anomalies: the full records
// checked for unusual patterns of use, with the thresholds of the
// [anomalies] section of -c CONF or the defaults.

#include <stdio.h>

#include "cli/audit_cmd.h"
#include "cli/cli.h"
#include "common/conf.h"
#include "common/err.h"

int
audit_anomalies(const audit_opts *o)
{
	fs_anomaly_conf  c;
	fs_audit_record *recs  = NULL;
	size_t           nrecs = 0;
	fs_audit_report  rep;
	char             why[FS_WHY_MAX] = "";
	int              rc              = EXIT_USAGE;
	fs_err           rv;

	fs_anomaly_conf_default(&c);
	if (o->conf != NULL
	    && (rv = fs_anomaly_conf_load(&c, o->conf, why, sizeof(why)))
	        != FS_OK) {
		cli_fail(rv, why, "audit");
		return (EXIT_USAGE);
	}
	if (audit_load_records(o, &recs, &nrecs) != 0) {
		return (EXIT_USAGE);
	}
	fs_audit_report_init(&rep);
	if ((rv = fs_audit_anomalies(&c, recs, nrecs, &rep)) == FS_OK) {
		rc = audit_print("anomalies", &rep);
	} else {
		fprintf(
		    stderr, "fedscore audit anomalies: %s\n", fs_strerror(rv));
	}
	fs_audit_report_fini(&rep);
	fs_audit_records_free(recs, nrecs);
	return (rc);
}
