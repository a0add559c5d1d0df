#!/usr/bin/python3
"""Open a spreadsheet in LibreOffice over UNO, let it recalculate every
formula (WEBSERVICE included), and print one sheet as CSV on stdout.

usage: recalc.py PROFILE_DIR FILE SHEET
"""
import csv, os, subprocess, sys, time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="SecureURL" oor:op="fuse"><value><it>%s</it></value></prop></item>
</oor:items>
"""


def main():
    profile, path, sheet = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
    user = os.path.join(profile, "user")
    os.makedirs(user, exist_ok=True)
    with open(os.path.join(user, "registrymodifications.xcu"), "w") as f:
        f.write(XCU % uno.systemPathToFileUrl(os.path.dirname(path)))
    pipe = "scoregate%d" % os.getpid()
    office = subprocess.Popen(["soffice", "-env:UserInstallation=" + uno.systemPathToFileUrl(profile),
                               "--headless", "--invisible", "--norestore", "--nologo",
                               "--accept=pipe,name=%s;urp;" % pipe])
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        ctx = None
        for _ in range(120):
            try:
                ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
                break
            except Exception:
                time.sleep(0.25)
        if ctx is None:
            sys.exit("recalc.py: LibreOffice did not start")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0,
                                           (prop("Hidden", True), prop("UpdateDocMode", 3)))
        if doc is None:
            sys.exit("recalc.py: LibreOffice could not load " + path)
        doc.calculateAll()
        sh = doc.Sheets.getByName(sheet)
        cur = sh.createCursor()
        cur.gotoEndOfUsedArea(False)
        last_col, last_row = cur.RangeAddress.EndColumn, cur.RangeAddress.EndRow
        w = csv.writer(sys.stdout, lineterminator="\n")
        for r in range(last_row + 1):
            w.writerow([sh.getCellByPosition(c, r).getString() for c in range(last_col + 1)])
        doc.close(True)
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        office.terminate()
        office.wait(timeout=30)


main()
