/* tx: how a use case ends its transaction — committed when everything worked, else rolled
 * back with the first error's code and detail kept for the caller to report. */
#include "app/app.h"
#include "util/err.h"

#include <stdio.h>

int app_tx_end(store *s, int rc)
{
    char detail[1024];
    if (rc == 0)
        return store_commit(s);
    snprintf(detail, sizeof detail, "%s", err_msg());
    store_rollback(s);
    return err_set(rc, "%s", detail);
}
