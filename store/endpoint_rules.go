package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/scoregate/scoregate"
)

// Every mutation of an endpoint first locks its web service's row, so the
// rules below (the endpoint limit, the default endpoint's protection) see a
// stable set of endpoints on Postgres too. On SQLite every write transaction
// begins immediate and the lock is a no-op.

// PutEndpoint creates endpoint name on the web service's current version
// (the default endpoint's version and trained model) with two fresh keys, or
// applies s to the existing endpoint. s.Resources is ignored: a PUT never
// swaps a trained model. Creating one more endpoint than the limit allows is
// a Conflict (EndpointLimitExceeded).
func (db *DB) PutEndpoint(ctx context.Context, ws, svc, name string, s scoregate.EndpointSettings) (*scoregate.Endpoint, bool, error) {
	if err := scoregate.ValidateName("name", name); err != nil {
		return nil, false, err
	}
	var out *scoregate.Endpoint
	var created bool
	err := db.inTx(ctx, func(tx *gorm.DB) error {
		created = false
		sv, err := findService(tx, ws, svc, true)
		if err != nil {
			return err
		}
		row, err := findEndpoint(tx, sv, name)
		if err == nil {
			if out, err = db.saveSettings(tx, row, s, false); err != nil {
				return err
			}
			return db.appendChange(tx, sv.WorkspaceID, sv.ID, row.ID)
		}
		if !scoregate.IsNotFound(err) {
			return err
		}
		var n int64
		if err := tx.Model(&endpointRow{}).Where("web_service_id = ?", sv.ID).Count(&n).Error; err != nil {
			return err
		}
		if n >= int64(db.maxEndpoints) {
			return scoregate.Errorf(scoregate.Conflict, scoregate.CodeEndpointLimitExceeded, "name",
				"web service %q already has %d endpoints, the most it may have", sv.Name, n)
		}
		e := scoregate.NewEndpointDefaults()
		if err := s.Apply(&e); err != nil {
			return err
		}
		version, resources, err := template(tx, sv)
		if err != nil {
			return err
		}
		row, keys, err := db.createEndpoint(tx, sv, name, e, version, resources)
		if err != nil {
			return err
		}
		if e, err = toEndpoint(row, keys); err != nil {
			return err
		}
		out, created = &e, true
		// A creation too: a replica may have cached that it did not exist.
		return db.appendChange(tx, sv.WorkspaceID, sv.ID, row.ID)
	})
	if err != nil {
		// A duplicate that outlived inTx's retries: another request keeps
		// creating this endpoint.
		exists := scoregate.Errorf(scoregate.Conflict, scoregate.CodeEndpointExists, "name",
			"endpoint %q is being created by another request; try again", name)
		return nil, false, translate(fmt.Sprintf("put endpoint %s of web service %s", name, svc), err, nil, exists)
	}
	if created {
		db.log.InfoContext(ctx, "store: endpoint created", "workspace_id", ws, "endpoint_id", out.ID)
	}
	return out, created, nil
}

// UpdateEndpoint applies s to an existing endpoint. When s.Resources is not
// nil, each given resource must name one of the endpoint's resources and
// replaces its location; the default endpoint refuses (BadUserArgument,
// DefaultEndpointReadOnly), and so does an endpoint whose stored
// PreventUpdate is set (Conflict, EndpointUpdatePrevented) even when the same
// request clears it. The caller has checked the new models with
// scoregate.CheckResources.
func (db *DB) UpdateEndpoint(ctx context.Context, ws, svc, name string, s scoregate.EndpointSettings) (*scoregate.Endpoint, error) {
	var out *scoregate.Endpoint
	err := db.changeEndpoint(ctx, ws, svc, name, "update", func(tx *gorm.DB, sv webServiceRow, row endpointRow) (err error) {
		out, err = db.saveSettings(tx, row, s, s.Resources != nil)
		return err
	})
	return out, err
}

// saveSettings applies s to row, its Resources too when withResources, and
// writes the row back: all or nothing.
func (db *DB) saveSettings(tx *gorm.DB, row endpointRow, s scoregate.EndpointSettings, withResources bool) (*scoregate.Endpoint, error) {
	e, err := toEndpoint(row, keyPair{})
	if err != nil {
		return nil, err
	}
	if err := s.Apply(&e); err != nil {
		return nil, err
	}
	if withResources {
		if err := replaceResources(&e, row.PreventUpdate, s.Resources); err != nil {
			return nil, err
		}
	}
	saved, err := fromEndpoint(e, row)
	if err != nil {
		return nil, err
	}
	saved.ResourcesCustomised = row.ResourcesCustomised || withResources
	if err := tx.Select("*").Updates(&saved).Error; err != nil {
		return nil, err
	}
	return db.endpoint(tx, saved)
}

// replaceResources swaps in the locations of the given resources, matched by
// name. prevented is the endpoint's PreventUpdate as stored.
func replaceResources(e *scoregate.Endpoint, prevented bool, given []scoregate.Resource) error {
	if e.IsDefault() {
		return scoregate.Errorf(scoregate.BadUserArgument, scoregate.CodeDefaultEndpointLocked, "Resources",
			"the default endpoint's trained model changes only by publishing a new version of the web service")
	}
	if prevented {
		return scoregate.Errorf(scoregate.Conflict, scoregate.CodeUpdatePrevented, "Resources",
			"endpoint %q has PreventUpdate set; clear it before changing its resources", e.Name)
	}
	for i, r := range given {
		j := -1
		for k := range e.Resources {
			if e.Resources[k].Name == r.Name {
				j = k
			}
		}
		if j < 0 {
			return scoregate.Errorf(scoregate.BadUserArgument, scoregate.CodeInvalidValue,
				fmt.Sprintf("Resources[%d].Name", i), "endpoint %q has no resource named %q", e.Name, r.Name)
		}
		target := fmt.Sprintf("Resources[%d].Location.RelativeLocation", i)
		if err := scoregate.ValidateRelativeLocation(target, r.Location.RelativeLocation); err != nil {
			return err
		}
		e.Resources[j].Kind = scoregate.ResourceKindTrainedModel
		e.Resources[j].Location = r.Location
	}
	return nil
}

// DeleteEndpoint deletes an endpoint and its keys. The default endpoint
// goes only when it is the last one (else Conflict,
// DefaultEndpointHasDependents).
func (db *DB) DeleteEndpoint(ctx context.Context, ws, svc, name string) error {
	var id string
	err := db.changeEndpoint(ctx, ws, svc, name, "delete", func(tx *gorm.DB, sv webServiceRow, row endpointRow) error {
		id = row.ID
		if row.Name == scoregate.DefaultEndpointName {
			var others int64
			err := tx.Model(&endpointRow{}).Where("web_service_id = ? AND id <> ?", sv.ID, row.ID).Count(&others).Error
			if err != nil {
				return err
			}
			if others > 0 {
				return scoregate.Errorf(scoregate.Conflict, scoregate.CodeDefaultEndpointInUse, "",
					"the default endpoint of web service %q cannot be deleted while %d other endpoint(s) exist", sv.Name, others)
			}
		}
		if err := tx.Where("endpoint_id = ?", row.ID).Delete(&credentialRow{}).Error; err != nil {
			return err
		}
		return tx.Where("id = ?", row.ID).Delete(&endpointRow{}).Error
	})
	if err != nil {
		return err
	}
	db.log.InfoContext(ctx, "store: endpoint deleted", "workspace_id", ws, "endpoint_id", id)
	return nil
}

// RefreshEndpoint locks a non-default endpoint onto the default endpoint's
// version. Its trained model follows too when overwriteResources is set or
// when its resources were never patched; patched resources are kept
// otherwise. The default endpoint refuses (BadUserArgument,
// DefaultEndpointReadOnly), as does an endpoint with PreventUpdate set
// (Conflict, EndpointUpdatePrevented).
func (db *DB) RefreshEndpoint(ctx context.Context, ws, svc, name string, overwriteResources bool) (*scoregate.Endpoint, error) {
	var out *scoregate.Endpoint
	err := db.changeEndpoint(ctx, ws, svc, name, "refresh", func(tx *gorm.DB, sv webServiceRow, row endpointRow) error {
		if row.Name == scoregate.DefaultEndpointName {
			return scoregate.Errorf(scoregate.BadUserArgument, scoregate.CodeDefaultEndpointLocked, "",
				"the default endpoint follows each publish of the web service and cannot be refreshed")
		}
		if row.PreventUpdate {
			return scoregate.Errorf(scoregate.Conflict, scoregate.CodeUpdatePrevented, "",
				"endpoint %q has PreventUpdate set; clear it before refreshing", row.Name)
		}
		version, resources, err := template(tx, sv)
		if err != nil {
			return err
		}
		row.Version = version
		if overwriteResources || !row.ResourcesCustomised {
			if row.Resources, err = encode("resources of endpoint "+row.ID, resources); err != nil {
				return err
			}
			row.ResourcesCustomised = false
		}
		if err := tx.Select("*").Updates(&row).Error; err != nil {
			return err
		}
		out, err = db.endpoint(tx, row)
		return err
	})
	return out, err
}

// RegenerateEndpointKey replaces one key of an endpoint; the old key stops
// authenticating when this returns.
func (db *DB) RegenerateEndpointKey(ctx context.Context, ws, svc, name string, kt scoregate.KeyType) (*scoregate.Endpoint, error) {
	if _, err := scoregate.ParseKeyType("KeyType", string(kt)); err != nil {
		return nil, err
	}
	var out *scoregate.Endpoint
	err := db.changeEndpoint(ctx, ws, svc, name, "regenerate "+string(kt)+" key of", func(tx *gorm.DB, sv webServiceRow, row endpointRow) (err error) {
		if _, err := db.rotateCredential(tx, ws, row.ID, kt); err != nil {
			return err
		}
		out, err = db.endpoint(tx, row)
		return err
	})
	if err != nil {
		return nil, err
	}
	db.log.InfoContext(ctx, "store: endpoint key regenerated", "workspace_id", ws, "endpoint_id", out.ID, "key_type", string(kt))
	return out, nil
}

// changeEndpoint runs fn in a transaction on endpoint name of web service svc,
// with the service's row locked (see the top of this file), appends the
// endpoint to the change feed when fn succeeds, and translates its error,
// saying what was being done.
func (db *DB) changeEndpoint(ctx context.Context, ws, svc, name, what string, fn func(tx *gorm.DB, sv webServiceRow, row endpointRow) error) error {
	err := db.inTx(ctx, func(tx *gorm.DB) error {
		sv, err := findService(tx, ws, svc, true)
		if err != nil {
			return err
		}
		row, err := findEndpoint(tx, sv, name)
		if err != nil {
			return err
		}
		if err := fn(tx, sv, row); err != nil {
			return err
		}
		return db.appendChange(tx, sv.WorkspaceID, sv.ID, row.ID)
	})
	if err != nil {
		return translate(fmt.Sprintf("%s endpoint %s of web service %s", what, name, svc), err, nil, nil)
	}
	return nil
}
