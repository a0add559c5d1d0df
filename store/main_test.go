package store_test

import (
	"testing"

	"github.com/scoregate/scoregate/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }
