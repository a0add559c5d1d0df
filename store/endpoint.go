package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/scoregate/scoregate"
)

// Endpoints lists the endpoints of a web service by name, keys included.
func (db *DB) Endpoints(ctx context.Context, ws, svc string) ([]scoregate.Endpoint, error) {
	tx := db.gorm.WithContext(ctx)
	s, err := findService(tx, ws, svc, false)
	if err != nil {
		return nil, err
	}
	var rows []endpointRow
	op := "list endpoints of web service " + svc
	if err := tx.Where("web_service_id = ?", s.ID).Order("name").Find(&rows).Error; err != nil {
		return nil, translate(op, err, nil, nil)
	}
	list, err := db.withKeys(tx, ws, rows...)
	return list, translate(op, err, nil, nil)
}

// Endpoint returns an endpoint of a web service by name, keys included.
func (db *DB) Endpoint(ctx context.Context, ws, svc, name string) (*scoregate.Endpoint, error) {
	tx := db.gorm.WithContext(ctx)
	s, err := findService(tx, ws, svc, false)
	if err != nil {
		return nil, err
	}
	row, err := findEndpoint(tx, s, name)
	if err != nil {
		return nil, err
	}
	return db.endpoint(tx, row)
}

// EndpointByID returns an endpoint of workspace ws by its id, the
// {endpointId} of its ApiLocation, keys included.
func (db *DB) EndpointByID(ctx context.Context, ws, id string) (*scoregate.Endpoint, error) {
	tx := db.gorm.WithContext(ctx)
	var row endpointRow
	err := tx.Where("workspace_id = ? AND id = ?", ws, id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, missing(tx, ws, endpointIDNotFound(ws, id))
	}
	if err != nil {
		return nil, translate("find endpoint "+id, err, nil, nil)
	}
	return db.endpoint(tx, row)
}

// findEndpoint reads an endpoint of web service s by name.
func findEndpoint(tx *gorm.DB, s webServiceRow, name string) (endpointRow, error) {
	var row endpointRow
	err := tx.Where("web_service_id = ? AND name = ?", s.ID, name).Take(&row).Error
	return row, translate("find endpoint "+name+" of web service "+s.Name, err, endpointNotFound(s.Name, name), nil)
}

// createEndpoint inserts an endpoint with settings e, locked on version with
// resources, and gives it two fresh keys.
func (db *DB) createEndpoint(tx *gorm.DB, s webServiceRow, name string, e scoregate.Endpoint, version int, resources []scoregate.Resource) (endpointRow, keyPair, error) {
	row := endpointRow{
		ID:           scoregate.NewID(),
		WorkspaceID:  s.WorkspaceID,
		WebServiceID: s.ID,
		Name:         name,
		CreatedAt:    now(),
		UpdatedAt:    now(),
	}
	e.Version, e.Resources = version, resources
	row, err := fromEndpoint(e, row)
	if err != nil {
		return row, keyPair{}, err
	}
	if err := tx.Create(&row).Error; err != nil {
		return row, keyPair{}, err
	}
	var keys keyPair
	if keys.primary, err = db.issueCredential(tx, s.WorkspaceID, row.ID, scoregate.KeyPrimary); err != nil {
		return row, keys, err
	}
	keys.secondary, err = db.issueCredential(tx, s.WorkspaceID, row.ID, scoregate.KeySecondary)
	return row, keys, err
}

// template returns what a new or refreshed endpoint locks onto: the default
// endpoint's version and resources or, when the default endpoint was
// deleted, the web service's latest version and its model.
func template(tx *gorm.DB, s webServiceRow) (int, []scoregate.Resource, error) {
	var def endpointRow
	err := tx.Where("web_service_id = ? AND name = ?", s.ID, scoregate.DefaultEndpointName).Take(&def).Error
	if err == nil {
		var rs []scoregate.Resource
		err := decode("resources of endpoint "+def.ID, def.Resources, &rs)
		return def.Version, rs, err
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, nil, err
	}
	var mv modelVersionRow
	if err := tx.Where("web_service_id = ? AND version = ?", s.ID, s.Version).Take(&mv).Error; err != nil {
		return 0, nil, fmt.Errorf("latest version of web service %s: %w", s.ID, err)
	}
	var r scoregate.Resource
	err = decode(fmt.Sprintf("resource of web service %s v%d", s.ID, s.Version), mv.Resource, &r)
	return s.Version, []scoregate.Resource{r}, err
}

// endpoint converts one row, keys included.
func (db *DB) endpoint(tx *gorm.DB, row endpointRow) (*scoregate.Endpoint, error) {
	list, err := db.withKeys(tx, row.WorkspaceID, row)
	if err != nil {
		return nil, translate("read endpoint "+row.ID, err, nil, nil)
	}
	return &list[0], nil
}

// withKeys converts rows of workspace ws, decrypting their keys.
func (db *DB) withKeys(tx *gorm.DB, ws string, rows ...endpointRow) ([]scoregate.Endpoint, error) {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	keys, err := db.endpointKeys(tx, ws, ids...)
	if err != nil {
		return nil, err
	}
	list := make([]scoregate.Endpoint, 0, len(rows))
	for _, r := range rows {
		e, err := toEndpoint(r, keys[r.ID])
		if err != nil {
			return nil, err
		}
		list = append(list, e)
	}
	return list, nil
}
