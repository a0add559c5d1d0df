package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/scoregate/scoregate"
)

// WebServices lists the web services of workspace ws by name.
func (db *DB) WebServices(ctx context.Context, ws string) ([]scoregate.WebService, error) {
	tx := db.gorm.WithContext(ctx)
	if _, err := findWorkspace(tx, ws); err != nil {
		return nil, err
	}
	var rows []webServiceRow
	if err := tx.Where("workspace_id = ?", ws).Order("name").Find(&rows).Error; err != nil {
		return nil, translate("list web services of workspace "+ws, err, nil, nil)
	}
	return convertAll("list web services of workspace "+ws, rows, toWebService)
}

// WebService returns a web service of workspace ws by name (or by id).
func (db *DB) WebService(ctx context.Context, ws, name string) (*scoregate.WebService, error) {
	row, err := findService(db.gorm.WithContext(ctx), ws, name, false)
	if err != nil {
		return nil, err
	}
	s, err := toWebService(row)
	if err != nil {
		return nil, translate("read web service "+name, err, nil, nil)
	}
	return &s, nil
}

// PublishWebService adds version N+1 of web service name (creating it at
// version 1 with its default endpoint on first publish) and moves the default
// endpoint onto the new version and its model. Two first publishes of one
// name racing each other make one web service with two versions.
func (db *DB) PublishWebService(ctx context.Context, ws, name string, p scoregate.Publication) (*scoregate.WebService, error) {
	if err := validatePublication(name, p); err != nil {
		return nil, err
	}
	res := p.Resource
	res.Kind = scoregate.ResourceKindTrainedModel
	op := fmt.Sprintf("publish web service %s in workspace %s", name, ws)
	input, err := encode("input schema", p.Info.Input)
	if err != nil {
		return nil, translate(op, err, nil, nil)
	}
	output, err := encode("output schema", p.Info.Output)
	if err != nil {
		return nil, translate(op, err, nil, nil)
	}
	resource, err := encode("resource", res)
	if err != nil {
		return nil, translate(op, err, nil, nil)
	}
	var svc webServiceRow
	err = db.inTx(ctx, func(tx *gorm.DB) error {
		if _, err := findWorkspace(tx, ws); err != nil {
			return err
		}
		var err error
		svc, err = findService(tx, ws, name, true)
		first := scoregate.IsNotFound(err)
		switch {
		case err == nil:
			svc.Version++
		case first:
			svc = webServiceRow{ID: scoregate.NewID(), WorkspaceID: ws, Name: name, Version: 1, CreatedAt: now()}
		default:
			return err
		}
		svc.ModelKind, svc.InputSchema, svc.OutputSchema = p.Info.Kind, input, output
		if p.Description != nil {
			svc.Description = *p.Description
		}
		svc.UpdatedAt = now()
		if first {
			err = tx.Create(&svc).Error
		} else {
			err = tx.Select("*").Updates(&svc).Error
		}
		if err != nil {
			return err
		}
		mv := modelVersionRow{
			WebServiceID: svc.ID, Version: svc.Version,
			ModelKind: p.Info.Kind, FunctionName: p.Info.FunctionName,
			InputSchema: input, OutputSchema: output,
			Resource: resource, SHA256: p.SHA256, CreatedAt: now(),
		}
		if err := tx.Create(&mv).Error; err != nil {
			return err
		}
		if err := db.moveDefaultEndpoint(tx, svc, res); err != nil {
			return err
		}
		// The whole web service, not only its default endpoint: its
		// schemas and description changed too.
		return db.appendChange(tx, ws, svc.ID, "")
	})
	if err != nil {
		return nil, translate(op, err, nil, nil)
	}
	db.log.InfoContext(ctx, "store: web service published", "workspace_id", ws,
		"web_service_id", svc.ID, "version", svc.Version)
	s, err := toWebService(svc)
	return &s, translate(op, err, nil, nil)
}

func validatePublication(name string, p scoregate.Publication) error {
	if err := scoregate.ValidateName("name", name); err != nil {
		return err
	}
	if p.Description != nil {
		if err := scoregate.ValidateDescription("Description", *p.Description); err != nil {
			return err
		}
	}
	if p.Resource.Name == "" {
		return scoregate.Errorf(scoregate.BadUserArgument, scoregate.CodeInvalidValue, "Resource.Name",
			"the published model needs a resource name")
	}
	return scoregate.ValidateRelativeLocation("Resource.Location.RelativeLocation", p.Resource.Location.RelativeLocation)
}

// moveDefaultEndpoint locks the default endpoint onto svc's latest version
// and its model, creating the endpoint if it was deleted as the last one.
func (db *DB) moveDefaultEndpoint(tx *gorm.DB, svc webServiceRow, res scoregate.Resource) error {
	resources := []scoregate.Resource{res}
	var row endpointRow
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("web_service_id = ? AND name = ?", svc.ID, scoregate.DefaultEndpointName).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		_, _, err = db.createEndpoint(tx, svc, scoregate.DefaultEndpointName, scoregate.NewEndpointDefaults(), svc.Version, resources)
		return err
	}
	if err != nil {
		return err
	}
	e, err := toEndpoint(row, keyPair{})
	if err != nil {
		return err
	}
	e.Version, e.Resources = svc.Version, resources
	if row, err = fromEndpoint(e, row); err != nil {
		return err
	}
	row.ResourcesCustomised = false
	return tx.Select("*").Updates(&row).Error
}

// DeleteWebService deletes a web service with its versions, its endpoints
// and their keys, recorded requests and usage.
func (db *DB) DeleteWebService(ctx context.Context, ws, name string) error {
	var id string
	err := db.inTx(ctx, func(tx *gorm.DB) error {
		svc, err := findService(tx, ws, name, true)
		if err != nil {
			return err
		}
		id = svc.ID
		endpoints := tx.Model(&endpointRow{}).Select("id").Where("web_service_id = ?", svc.ID)
		if err := tx.Where("endpoint_id IN (?)", endpoints).Delete(&credentialRow{}).Error; err != nil {
			return err
		}
		if err := tx.Where("web_service_id = ?", svc.ID).Delete(&endpointRow{}).Error; err != nil {
			return err
		}
		if err := tx.Where("web_service_id = ?", svc.ID).Delete(&modelVersionRow{}).Error; err != nil {
			return err
		}
		if err := tx.Where("id = ?", svc.ID).Delete(&webServiceRow{}).Error; err != nil {
			return err
		}
		return db.appendChange(tx, ws, svc.ID, "")
	})
	if err != nil {
		return translate(fmt.Sprintf("delete web service %s in workspace %s", name, ws), err, nil, nil)
	}
	db.log.InfoContext(ctx, "store: web service deleted", "workspace_id", ws, "web_service_id", id)
	return nil
}

// ModelVersion returns one published version of a web service, named or
// given by id.
func (db *DB) ModelVersion(ctx context.Context, ws, svc string, version int) (*scoregate.ModelVersion, error) {
	tx := db.gorm.WithContext(ctx)
	s, err := findService(tx, ws, svc, false)
	if err != nil {
		return nil, err
	}
	var row modelVersionRow
	err = tx.Where("web_service_id = ? AND version = ?", s.ID, version).Take(&row).Error
	op := fmt.Sprintf("read version %d of web service %s", version, svc)
	if err != nil {
		return nil, translate(op, err, versionNotFound(svc, version), nil)
	}
	v, err := toModelVersion(row)
	if err != nil {
		return nil, translate(op, err, nil, nil)
	}
	return &v, nil
}

// findService reads a web service of workspace ws by name or, when svc has
// the shape of an id (which no name has), by id. forUpdate locks the row
// until tx ends, which serialises the rule checks on its endpoints across
// Postgres connections (SQLite transactions are serial already).
func findService(tx *gorm.DB, ws, svc string, forUpdate bool) (webServiceRow, error) {
	q := tx.Where("workspace_id = ?", ws)
	if scoregate.IsID(svc) {
		q = q.Where("id = ?", svc)
	} else {
		q = q.Where("name = ?", svc)
	}
	if forUpdate {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var row webServiceRow
	err := q.Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row, missing(tx, ws, webServiceNotFound(ws, svc))
	}
	return row, translate("find web service "+svc, err, nil, nil)
}
