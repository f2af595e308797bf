#!/bin/sh
# Qt's widgets need a few system libraries that minimal Debian/Ubuntu images lack.
# Check by importing them; install what is missing when we can (root with apt-get),
# otherwise say exactly what to install.
PY="$1"
PACKAGES="libegl1 libgl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0 libxcb-render-util0 libxcb-image0 libx11-xcb1 fonts-dejavu-core"
check() { "$PY" -c 'from PySide6 import QtWidgets, QtGui' 2>/dev/null; }
check && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "Installing the system libraries Qt needs: $PACKAGES"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $PACKAGES >/dev/null
    check && exit 0
fi
echo "Qt cannot load: some system libraries are missing. Install them with:"
echo "    sudo apt-get install $PACKAGES"
"$PY" -c 'from PySide6 import QtWidgets' 2>&1 | tail -1
exit 1
