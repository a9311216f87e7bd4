/* placeholder: being written */
#include "disk-preset.h"
