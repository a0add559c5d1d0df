package gateway

// DecodeEndpointSettings exposes the endpoint body decoder to the fuzz test
// in package gateway_test.
var DecodeEndpointSettings = decodeEndpointSettings
