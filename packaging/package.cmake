# The Debian package (`make deb`): allot_<version>_amd64.deb with
# /usr/bin/allot, the systemd unit, /etc/allot/allot.conf (a conffile) and the
# docs, built by CPack from this build tree. tests/deb checks it.
include(GNUInstallDirs)

set(ALLOT_MAINTAINER_EMAIL "maintainers@users.noreply.b-seed-4b95fa00.example")
set(ALLOT_PACKAGING_DIR ${CMAKE_CURRENT_LIST_DIR})
set(ALLOT_DOC_DIR share/doc/allot)

install(TARGETS allot RUNTIME DESTINATION bin)
install(FILES ${ALLOT_PACKAGING_DIR}/allot.service DESTINATION /lib/systemd/system)
install(FILES ${ALLOT_PACKAGING_DIR}/allot.conf DESTINATION /etc/allot)
install(FILES README.md docs/api.md docs/architecture.md docs/operations.md docs/openapi.json
              ${ALLOT_PACKAGING_DIR}/copyright
        DESTINATION ${ALLOT_DOC_DIR})
install(FILES ${ALLOT_PACKAGING_DIR}/README.md DESTINATION ${ALLOT_DOC_DIR} RENAME packaging.md)
# Debian wants the changelog compressed with gzip -9n (no name, no time) so
# the package is reproducible.
configure_file(${ALLOT_PACKAGING_DIR}/changelog.in ${CMAKE_BINARY_DIR}/packaging/changelog @ONLY)
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/packaging/changelog.gz
                   COMMAND gzip -9nc changelog > changelog.gz
                   WORKING_DIRECTORY ${CMAKE_BINARY_DIR}/packaging
                   DEPENDS ${CMAKE_BINARY_DIR}/packaging/changelog)
add_custom_target(allot_changelog ALL DEPENDS ${CMAKE_BINARY_DIR}/packaging/changelog.gz)
install(FILES ${CMAKE_BINARY_DIR}/packaging/changelog.gz DESTINATION ${ALLOT_DOC_DIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME allot)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "allot maintainers <${ALLOT_MAINTAINER_EMAIL}>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "reservation engine and HTTP service for limited stock, seats and money")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "allot hands out limited things (units of stock, named seats and money) to\nmany concurrent clients and never hands out more than exists: holds that\nexpire, confirmations, orders and transfers, over a JSON HTTP API, with\nSQLite or PostgreSQL storage. The allot.service unit runs it.")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Depends: from the libraries the binary links (dpkg-shlibdeps).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${ALLOT_PACKAGING_DIR}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
include(CPack)
