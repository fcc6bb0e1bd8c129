# The Debian package (issue 20): what `cmake --install` puts beside the binary, and CPack's DEB
# generator. ops/package builds the package; docs/packaging.md describes it.

# The man page and the bash completion come from the binary's own CLI definitions
# (node/cli/cmd_docs.cc), so they list exactly what --help lists.
set(EICHUB_DOC_DIR ${PROJECT_BINARY_DIR}/doc)
file(MAKE_DIRECTORY ${EICHUB_DOC_DIR})
add_custom_command(
  OUTPUT ${EICHUB_DOC_DIR}/eichub.1 ${EICHUB_DOC_DIR}/eichub.1.gz ${EICHUB_DOC_DIR}/eichub
  COMMAND eichub help-man > eichub.1
  # Debian's man pages are gzip -9 without a name or time stamp (reproducible).
  COMMAND gzip -9 -n -c eichub.1 > eichub.1.gz
  COMMAND eichub completion bash > eichub
  DEPENDS eichub
  WORKING_DIRECTORY ${EICHUB_DOC_DIR}
  COMMENT "Generating eichub(1) and the bash completion from the CLI definitions")
add_custom_target(eichub_docs ALL DEPENDS ${EICHUB_DOC_DIR}/eichub.1 ${EICHUB_DOC_DIR}/eichub)

# A Debian package installs under /usr, whatever CMAKE_INSTALL_PREFIX the build has, so the
# test build packages the same layout as ops/package's (tests/ops/package_test.sh).
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# The systemd unit with the packaged binary's path.
set(EICHUB_BINARY ${CPACK_PACKAGING_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/eichub)
configure_file(ops/eichub.service.in ${PROJECT_BINARY_DIR}/ops/eichub.service @ONLY)

# Who answers for the package (Maintainer: and the changelog's trailer).
set(EICHUB_PACKAGE_CONTACT "eichub maintainers <maintainers@eichub.example>"
    CACHE STRING "Maintainer of the Debian package")

# Debian's changelog of a native package, at this version.
configure_file(ops/debian/changelog.in ${EICHUB_DOC_DIR}/changelog @ONLY)
execute_process(COMMAND gzip -9 -n -f ${EICHUB_DOC_DIR}/changelog COMMAND_ERROR_IS_FATAL ANY)

# Where Debian 12 looks for each file; the unit directory is outside the prefix.
set(EICHUB_SYSTEMD_UNIT_DIR /lib/systemd/system CACHE PATH "Where the systemd unit is installed")
install(FILES ${PROJECT_BINARY_DIR}/ops/eichub.service DESTINATION ${EICHUB_SYSTEMD_UNIT_DIR})
install(FILES ${EICHUB_DOC_DIR}/eichub.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${EICHUB_DOC_DIR}/eichub
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ops/debian/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${EICHUB_DOC_DIR}/changelog.gz DESTINATION ${CMAKE_INSTALL_DOCDIR})

# cpack (and `make install`) installs what is built and builds nothing: ops/package builds first,
# and the package test must not start a build of the whole tree.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME eichub)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${EICHUB_PACKAGE_CONTACT})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "federated catalogue hub for education innovation clusters")
# The extended description: lines of at most 80 columns (Debian policy 3.4.1).
set(CPACK_PACKAGE_DESCRIPTION
    "Each regional cluster runs an eichub node that keeps its own catalogue of\n\
skills (ESCO and local additions), learning resources, providers, cluster\n\
profiles and skills needs. Every change is an Ed25519-signed, hash-chained\n\
update in the node's feed, stored in LMDB and exchanged with peers over ZeroMQ.\n\
The package installs the eichub command, a hardened systemd unit for a node\n\
in /var/lib/eichub, the eichub(1) man page and bash completion.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # eichub_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends from the binary's shared libraries (dpkg-shlibdeps), plus what the scripts run.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/ops/debian/postinst ${PROJECT_SOURCE_DIR}/ops/debian/prerm
    ${PROJECT_SOURCE_DIR}/ops/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
