/* placeholder: being written */
#include "disk-fit.h"
