// libxml2 (Debian libxml2-dev, pkg-config libxml-2.0): parsing and XML Schema validation
// for the Kriminalvården adapter.
//
// Debian's libxml2 is built with ICU, and libxml/encoding.h then includes the system's ICU
// headers, which clash with the ICU that Foundation brings (_FoundationICU). Nothing here
// touches encoding handlers (the only structure whose layout depends on it), so the ICU part
// of the headers is left out.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlIO.h>
