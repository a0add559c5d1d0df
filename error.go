package scoregate

import (
	"errors"
	"fmt"
)

// ErrorClass is the top-level "code" of a classic error body. Each class maps
// to exactly one HTTP status (see package gateway).
type ErrorClass string

// The error classes Azure ML classic web services answered with, plus Conflict
// and Internal which classic folded into other classes.
const (
	BadArgument           ErrorClass = "BadArgument"           // 400: malformed request
	BadUserArgument       ErrorClass = "BadUserArgument"       // 400: well-formed request that breaks a rule
	Unauthorized          ErrorClass = "Unauthorized"          // 401
	NotFound              ErrorClass = "NotFound"              // 404
	MethodNotAllowed      ErrorClass = "MethodNotAllowed"      // 405
	RequestTimeout        ErrorClass = "RequestTimeout"        // 408
	Conflict              ErrorClass = "Conflict"              // 409
	RequestEntityTooLarge ErrorClass = "RequestEntityTooLarge" // 413
	UnsupportedMediaType  ErrorClass = "UnsupportedMediaType"  // 415
	ServiceUnavailable    ErrorClass = "ServiceUnavailable"    // 503
	Internal              ErrorClass = "InternalError"         // 500
)

// Detail codes used in the "details" array of a classic error body.
const (
	CodeInvalidName            = "InvalidName"
	CodeInvalidValue           = "InvalidValue"
	CodeRequestBodyInvalid     = "RequestBodyInvalid"
	CodeMissingRequestInput    = "MissingRequestInput"
	CodeInputParseError        = "InputParseError"
	CodeInputMismatchError     = "InputMismatchError"
	CodeInvalidInputNames      = "InvalidInputNames"
	CodeUnexpectedParameter    = "UnexpectedParameter"
	CodeScoreRequestUnauth     = "ScoreRequestUnauthorized"
	CodeWorkspaceNotFound      = "WorkspaceNotFound"
	CodeWebServiceNotFound     = "WebServiceNotFound"
	CodeEndpointNotFound       = "EndpointNotFound"
	CodeBlobNotFound           = "BlobNotFound"
	CodeEndpointExists         = "EndpointAlreadyExists"
	CodeDefaultEndpointInUse   = "DefaultEndpointHasDependents"
	CodeDefaultEndpointLocked  = "DefaultEndpointReadOnly"
	CodeEndpointLimitExceeded  = "EndpointLimitExceeded"
	CodeInvalidThrottleSetting = "InvalidThrottleSetting"
	CodeUpdatePrevented        = "EndpointUpdatePrevented"
	CodeInvalidModel           = "InvalidModel"
	CodeModelTooLarge          = "ModelTooLarge"
	CodeRequestTooLarge        = "RequestTooLarge"
	CodeRequestThrottled       = "RequestThrottled"
	CodeScoreRequestTimeout    = "ScoreRequestTimeout"
	CodeTooManyRows            = "TooManyRows"
	CodeUnsupportedAPIVersion  = "UnsupportedApiVersion"
	CodeUnsupportedMediaType   = "UnsupportedMediaType"
	CodeJobNotFound            = "JobNotFound"
	CodeScheduleNotFound       = "ScheduleNotFound"
	CodeRunNotFound            = "RunNotFound"
	CodeCannotStartJob         = "CannotStartJob"
	CodeLeaseLost              = "JobLeaseLost"
	CodeInternal               = "InternalError"
)

// Error is the one error type of scoregate. Class selects the HTTP status and
// the top-level code; Code, Target and Message fill the single detail entry.
// Err keeps the cause for logs and errors.Is, and is never shown to clients.
type Error struct {
	Class   ErrorClass
	Code    string
	Target  string
	Message string
	Err     error
}

// Error returns the message, with the target when there is one.
func (e *Error) Error() string {
	msg := e.Message
	if e.Target != "" {
		msg = e.Target + ": " + msg
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given class and detail code about target.
func Errorf(class ErrorClass, code, target, format string, args ...any) *Error {
	return &Error{Class: class, Code: code, Target: target, Message: fmt.Sprintf(format, args...)}
}

// ErrorOf returns the *Error in err's chain, or an Internal error wrapping err
// when there is none. ErrorOf(nil) is nil.
func ErrorOf(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Class: Internal, Code: CodeInternal, Message: "internal error", Err: err}
}

// ClassOf returns the class of err (Internal for errors that carry none).
func ClassOf(err error) ErrorClass {
	if err == nil {
		return ""
	}
	return ErrorOf(err).Class
}

// IsNotFound reports whether err is a NotFound error.
func IsNotFound(err error) bool { return ClassOf(err) == NotFound }
