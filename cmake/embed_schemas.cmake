# Turns schemas/*.schema.json (made by scripts/gen-schemas from the registry,
# checked up to date by tests/schema) into a C file of byte arrays, so
# gongkaid serves GET /api/v1/formats/{version}/schema without files at run
# time.  Called with -DOUT=<file.c> -DSCHEMAS_DIR=<dir>.
file(GLOB files "${SCHEMAS_DIR}/report-*.schema.json")
list(SORT files)
set(body "/* Generated from schemas/ by cmake/embed_schemas.cmake; do not edit. */\n#include <stddef.h>\n")
set(table "")
set(i 0)
foreach(f ${files})
  file(READ "${f}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
  string(APPEND body "static const char gk_schema_data_${i}[] = {${hex}0x00};\n")
  get_filename_component(name "${f}" NAME)
  string(REGEX REPLACE "^report-(.*)\\.schema\\.json$" "\\1" version "${name}")
  string(APPEND table "  {\"${version}\", gk_schema_data_${i}, sizeof gk_schema_data_${i} - 1},\n")
  math(EXPR i "${i} + 1")
endforeach()
string(APPEND body "struct gk_embedded_schema { const char *version; const char *data; size_t len; };\n")
string(APPEND body "const struct gk_embedded_schema gk_embedded_schemas[] = {\n${table}  {NULL, NULL, 0}\n};\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
