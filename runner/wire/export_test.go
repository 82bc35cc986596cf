package wire

// CheckResultJSON is checkResultJSON for the tests that encode the results of real executions
// (package wire_test, which may import the runner).
var CheckResultJSON = checkResultJSON

// SampleEvent is sampleEvent, for package wire_test.
const SampleEvent = sampleEvent
