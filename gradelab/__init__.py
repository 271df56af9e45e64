"""gradelab: sandboxed autograding of nbgrader courses."""

import sys

# jsonschema, which nbformat imports, loads rfc3987_syntax when it is installed (JupyterLab
# brings it) only to check the "iri" string format, which notebooks never use; building
# that grammar takes over a second in every process. gradelab's processes leave it out.
sys.modules.setdefault("rfc3987_syntax", None)
