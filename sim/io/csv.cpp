#include "sim/io/csv.hpp"
