#include "sim/io/policy_yaml.hpp"
// Implementation pending (policy loader).
