package miner

// EmptyResultEmbedding is the embedding every node commits for an empty result: a
// completion whose first draw was the model's end token. There is no pooled
// embedding of zero tokens (engines refuse empty input), so without a fixed value
// honest nodes could not commit such a task at all. The protocol fixes the first
// basis vector at the chain's scale: unit length (it passes the chain's norm check),
// identical on every engine, and the auditor uses the same value, so an honest empty
// answer validates and passes audits while its replay still checks that the end
// token really was the model's first draw (x/sessions README, "Session audits").
func EmptyResultEmbedding(dim uint32) []int32 {
	if dim == 0 {
		return nil
	}
	v := make([]int32, dim)
	v[0] = EmbeddingScale
	return v
}
