// The --lrs value of `descent sweep`: the learning rates to try, as a comma list
// ("1e-4,1e-3,0.01") or a log-spaced range LOW:HIGH:COUNT ("1e-4:1:8": 8 values from 1e-4 to 1
// inclusive, evenly spaced on a log scale).
#pragma once

#include <string>
#include <vector>

namespace descent::cli {

// The values in the order given. Every η must be a finite number > 0 and appear once; a range
// needs LOW < HIGH and an integer COUNT from 2 to 1000. Anything else throws InvalidArgument with
// one line naming `flag`, the text and what is wrong.
std::vector<double> parse_lr_list(const std::string& text, const std::string& flag = "--lrs");

}  // namespace descent::cli
