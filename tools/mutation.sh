#!/usr/bin/env bash
# Mutation testing of the content rules: each module against its own fast unit tests (mutmut 3).
#
#   tools/mutation.sh                     every module below, one at a time
#   tools/mutation.sh roundtable/urls.py  only the modules named
#
# Each module runs in its own scratch copy of the working tree, .mutation/<module>/, whose
# pyproject.toml gets a [tool.mutmut] section naming the module and its tests; a second run
# starts afresh. Look at a survivor with
#   cd .mutation/<module> && mutmut show <mutant name>
# After moving a module, edit its line below: "module.py | pytest arguments" (quotes group words).
set -euo pipefail
cd "$(dirname "$0")/.."

PAIRS=(
  # roundtable/slugs.py is one @lru_cache function, which mutmut 3 does not mutate: tests/test_slugs.py.
  "roundtable/content/config.py        | tests/test_config.py"
  "roundtable/urls.py                  | tests/test_urls.py"
  "roundtable/publish/names.py         | tests/test_citations.py -k 'not (built or essay_page or copy_button)'"
  "roundtable/content/people.py        | tests/test_people.py"
  "roundtable/render/i18n.py           | tests/test_i18n.py -k 'catalog or regional or language_codes_are or messages_file'"
  "roundtable/content/schema.py        | tests/test_schema.py"
  "roundtable/publish/citations.py     | tests/test_citations.py -k 'not (built or essay_page or copy_button)'"
  "roundtable/content/frontmatter.py   | tests/test_frontmatter.py"
)
CHILDREN="${MUTATION_CHILDREN:-2}"

# Print a TOML array of the words given: a b → ["a", "b"].
toml_list() {
  local out="" word
  for word in "$@"; do out+="${out:+, }\"$word\""; done
  printf '[%s]' "$out"
}

# Copy the working tree to a scratch folder and configure mutmut there for one module.
prepare() {
  local module="$1" scratch="$2"
  shift 2
  rm -rf "$scratch"
  mkdir -p "$scratch"
  cp -a roundtable tests templates assets pyproject.toml "$scratch/"
  cat >>"$scratch/pyproject.toml" <<TOML

[tool.mutmut]
source_paths = ["roundtable"]
only_mutate = ["$module"]
also_copy = ["templates", "assets"]
pytest_add_cli_args = ["-p", "no:cacheprovider"]
# Fork each mutant from a process that has run no test, so no lru_cache holds a clean result.
process_isolation = "forkserver"
pytest_add_cli_args_test_selection = $(toml_list "$@")
TOML
}

# Print one line of counts for a module from `mutmut results --all`.
summarise() {
  local module="$1" scratch="$2"
  (cd "$scratch" && mutmut results --all true) | awk -F': ' -v module="$module" '
    { total++; count[$NF]++ }
    END {
      killed = count["killed"] + count["timeout"] + count["segfault"]
      survived = count["survived"] + count["no tests"]
      printf "%s: %d mutants, %d killed, %d survived (%d of them run by no test), %d other\n",
        module, total, killed, survived, count["no tests"], total - killed - survived
    }'
}

run_one() {
  local module="$1" tests="$2" scratch=".mutation/${1//\//.}" args
  mapfile -t args < <(xargs printf '%s\n' <<<"$tests")  # words, quotes honoured
  prepare "$module" "$scratch" "${args[@]}"
  echo "== $module against $tests"
  (cd "$scratch" && PYTHONPATH= nice -n 10 mutmut run --max-children "$CHILDREN") >"$scratch.log" 2>&1 ||
    { tail -30 "$scratch.log"; return 1; }
  summarise "$module" "$scratch"
}

main() {
  local pair module tests
  command -v mutmut >/dev/null || { echo "mutation.sh: mutmut is missing (pip install -e '.[dev]')" >&2; exit 2; }
  for pair in "${PAIRS[@]}"; do
    module="$(echo "${pair%%|*}" | xargs)"
    tests="$(sed "s/^ *//" <<<"${pair#*|}")"
    if (($# == 0)) || [[ " $* " == *" $module "* ]]; then run_one "$module" "$tests"; fi
  done
}

main "$@"
