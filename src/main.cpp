// The descent command-line tool: parsing and dispatch live in the cli layer.
#include "cli/app.h"

int main(int argc, char** argv) {
  return descent::cli::run(argc, argv);
}
