/* placeholder: being written */
#include "disk-image-io.h"
