/* placeholder: being written */
#include "disk-gradient.h"
