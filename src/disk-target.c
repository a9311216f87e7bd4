/* placeholder: being written */
#include "disk-target.h"
