package gateway

import (
	"github.com/scoregate/scoregate"
)

// columnType is the classic ColumnTypes entry of a field's data type.
func columnType(dataType string) string {
	switch dataType {
	case scoregate.TypeDouble, scoregate.TypeFloat:
		return "Double"
	case scoregate.TypeInteger:
		return "Int64"
	case scoregate.TypeBoolean:
		return "Boolean"
	case scoregate.TypeDate, scoregate.TypeTime, scoregate.TypeDateTime:
		return "DateTime"
	}
	return "String"
}
