#include "sim/io/claims_csv.hpp"
