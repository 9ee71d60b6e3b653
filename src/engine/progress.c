/* progress: growth and completion rates (see progress.h for the formulas). */
#include "engine/progress.h"
#include "model/model.h"
#include "util/err.h"

#include <math.h>

static int check_finite(double a, double b)
{
    if (!isfinite(a) || !isfinite(b))
        return err_set(ERR_DATA, "value is not a finite number");
    return 0;
}

/* Stores a result, refusing one that overflowed. */
static int finish(double result, double *out)
{
    if (!isfinite(result))
        return err_set(ERR_DATA, "result out of range");
    *out = result;
    return 0;
}

int progress_growth(double current, double base, double *out_pct)
{
    int rc;
    if ((rc = check_finite(current, base)) != 0)
        return rc;
    if (base == 0)
        return err_set(ERR_DATA, "growth is undefined on a zero base");
    return finish((current - base) / fabs(base) * 100.0, out_pct);
}

int progress_points(double current, double base, double *out)
{
    int rc;
    if ((rc = check_finite(current, base)) != 0)
        return rc;
    return finish(current - base, out);
}

int progress_yoy(int value_kind, double current, double base, double *out, int *kind)
{
    if (value_kind == VK_RATIO || value_kind == VK_GROWTH) {
        *kind = PROGRESS_POINTS;
        return progress_points(current, base, out);
    }
    *kind = PROGRESS_PERCENT;
    return progress_growth(current, base, out);
}

int progress_completion(int direction, double actual, double goal, double *out_pct)
{
    double gap;
    int rc;
    if ((rc = check_finite(actual, goal)) != 0)
        return rc;
    if (direction != DIR_HIGHER && direction != DIR_LOWER)
        return err_set(ERR_DATA, "unknown direction %d", direction);
    if (goal == 0)
        return err_set(ERR_DATA, "completion is undefined against a zero target");
    gap = direction == DIR_HIGHER ? actual - goal : goal - actual;
    return finish((1.0 + gap / fabs(goal)) * 100.0, out_pct);
}
