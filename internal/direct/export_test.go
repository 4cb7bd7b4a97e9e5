package direct

// DecodeListV2 and DecodeListV1 are the list decoders, for the
// differential tests of the external test package.
var (
	DecodeListV2 = decodeListV2
	DecodeListV1 = decodeListV1
)
