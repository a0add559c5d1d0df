-- An endpoint setting: LiveWorkbookEnabled opens GET {ApiLocation}/predict,
-- which scores one row from its query string for the spreadsheet function
-- WEBSERVICE. Off for every endpoint that exists: the route takes the key in
-- its URL, so each endpoint owner opts in.

ALTER TABLE endpoints ADD COLUMN live_workbook_enabled BOOLEAN NOT NULL DEFAULT FALSE;
