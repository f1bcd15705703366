package native

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/cortnet/cortd/sidecar/engine/safetensors"
)

// refModel is an independent float64 implementation of both architectures,
// written directly from the papers' formulas with plain loops, used to check
// the engine's forward pass, loss and embeddings.
type refModel struct {
	cfg *Config
	w   map[string][]float64
}

func loadRef(t *testing.T, dir string) *refModel {
	cfg, err := LoadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Open(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := &refModel{cfg: cfg, w: map[string][]float64{}}
	for _, n := range f.Names() {
		v, _, err := f.Float32(n)
		if err != nil {
			t.Fatal(err)
		}
		d := make([]float64, len(v))
		for i := range v {
			d[i] = float64(v[i])
		}
		r.w[n] = d
	}
	return r
}

// linear: y = x.W (+b); W is in x out when inOut, else out x in.
func linear(x []float64, w []float64, b []float64, in, out int, inOut bool) []float64 {
	y := make([]float64, out)
	for o := 0; o < out; o++ {
		var s float64
		if b != nil {
			s = b[o]
		}
		for i := 0; i < in; i++ {
			if inOut {
				s += x[i] * w[i*out+o]
			} else {
				s += x[i] * w[o*in+i]
			}
		}
		y[o] = s
	}
	return y
}

func layerNorm(x, w, b []float64, eps float64) []float64 {
	var mean, v float64
	for _, a := range x {
		mean += a
	}
	mean /= float64(len(x))
	for _, a := range x {
		v += (a - mean) * (a - mean)
	}
	v /= float64(len(x))
	y := make([]float64, len(x))
	for i := range x {
		y[i] = (x[i]-mean)/math.Sqrt(v+eps)*w[i] + b[i]
	}
	return y
}

func rmsNorm(x, w []float64, eps float64) []float64 {
	var ss float64
	for _, a := range x {
		ss += a * a
	}
	inv := 1 / math.Sqrt(ss/float64(len(x))+eps)
	y := make([]float64, len(x))
	for i := range x {
		y[i] = x[i] * inv * w[i]
	}
	return y
}

func rope(v []float64, pos int, theta float64) {
	half := len(v) / 2
	for i := 0; i < half; i++ {
		a := float64(pos) * math.Pow(theta, -float64(2*i)/float64(len(v)))
		c, s := math.Cos(a), math.Sin(a)
		x, y := v[i], v[i+half]
		v[i], v[i+half] = x*c-y*s, y*c+x*s
	}
}

// forward returns the final-normed hidden states and the logits.
func (r *refModel) forward(tokens []int) (hidden, logits [][]float64) {
	c := r.cfg
	D, hd, T := c.Dim, c.HeadDim(), len(tokens)
	g2 := c.Arch == "gpt2"
	w := r.w
	x := make([][]float64, T)
	for t, id := range tokens {
		emb := "model.embed_tokens.weight"
		if g2 {
			emb = "wte.weight"
		}
		x[t] = append([]float64(nil), w[emb][id*D:id*D+D]...)
		if g2 {
			for i := range x[t] {
				x[t][i] += w["wpe.weight"][t*D+i]
			}
		}
	}
	for l := 0; l < c.Layers; l++ {
		p := "h." + itoa(l) + "."
		lp := "model.layers." + itoa(l) + "."
		q, k, v := make([][]float64, T), make([][]float64, T), make([][]float64, T)
		for t := 0; t < T; t++ {
			if g2 {
				h := layerNorm(x[t], w[p+"ln_1.weight"], w[p+"ln_1.bias"], float64(c.Eps))
				qkv := linear(h, w[p+"attn.c_attn.weight"], w[p+"attn.c_attn.bias"], D, 3*D, true)
				q[t], k[t], v[t] = qkv[:D], qkv[D:2*D], qkv[2*D:]
			} else {
				h := rmsNorm(x[t], w[lp+"input_layernorm.weight"], float64(c.Eps))
				q[t] = linear(h, w[lp+"self_attn.q_proj.weight"], nil, D, c.Heads*hd, false)
				k[t] = linear(h, w[lp+"self_attn.k_proj.weight"], nil, D, c.KVHeads*hd, false)
				v[t] = linear(h, w[lp+"self_attn.v_proj.weight"], nil, D, c.KVHeads*hd, false)
				for hh := 0; hh < c.Heads; hh++ {
					rope(q[t][hh*hd:hh*hd+hd], t, c.RopeTheta)
				}
				for hh := 0; hh < c.KVHeads; hh++ {
					rope(k[t][hh*hd:hh*hd+hd], t, c.RopeTheta)
				}
			}
		}
		for t := 0; t < T; t++ {
			att := make([]float64, c.Heads*hd)
			for hh := 0; hh < c.Heads; hh++ {
				g := hh / (c.Heads / c.KVHeads)
				sc := make([]float64, t+1)
				m := math.Inf(-1)
				for s := 0; s <= t; s++ {
					for d := 0; d < hd; d++ {
						sc[s] += q[t][hh*hd+d] * k[s][g*hd+d]
					}
					sc[s] /= math.Sqrt(float64(hd))
					m = math.Max(m, sc[s])
				}
				var z float64
				for s := range sc {
					sc[s] = math.Exp(sc[s] - m)
					z += sc[s]
				}
				for s := range sc {
					for d := 0; d < hd; d++ {
						att[hh*hd+d] += sc[s] / z * v[s][g*hd+d]
					}
				}
			}
			var o []float64
			if g2 {
				o = linear(att, w[p+"attn.c_proj.weight"], w[p+"attn.c_proj.bias"], D, D, true)
			} else {
				o = linear(att, w[lp+"self_attn.o_proj.weight"], nil, c.Heads*hd, D, false)
			}
			for i := range o {
				x[t][i] += o[i]
			}
		}
		for t := 0; t < T; t++ {
			var o []float64
			if g2 {
				h := layerNorm(x[t], w[p+"ln_2.weight"], w[p+"ln_2.bias"], float64(c.Eps))
				f := linear(h, w[p+"mlp.c_fc.weight"], w[p+"mlp.c_fc.bias"], D, c.FF, true)
				for i, a := range f {
					f[i] = 0.5 * a * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(a+0.044715*a*a*a)))
				}
				o = linear(f, w[p+"mlp.c_proj.weight"], w[p+"mlp.c_proj.bias"], c.FF, D, true)
			} else {
				h := rmsNorm(x[t], w[lp+"post_attention_layernorm.weight"], float64(c.Eps))
				gt := linear(h, w[lp+"mlp.gate_proj.weight"], nil, D, c.FF, false)
				up := linear(h, w[lp+"mlp.up_proj.weight"], nil, D, c.FF, false)
				for i := range gt {
					gt[i] = gt[i] / (1 + math.Exp(-gt[i])) * up[i]
				}
				o = linear(gt, w[lp+"mlp.down_proj.weight"], nil, c.FF, D, false)
			}
			for i := range o {
				x[t][i] += o[i]
			}
		}
	}
	for t := 0; t < T; t++ {
		var h []float64
		var lg []float64
		if g2 {
			h = layerNorm(x[t], w["ln_f.weight"], w["ln_f.bias"], float64(c.Eps))
			lg = linear(h, w["wte.weight"], nil, D, c.Vocab, false)
		} else {
			h = rmsNorm(x[t], w["model.norm.weight"], float64(c.Eps))
			lg = linear(h, w["lm_head.weight"], nil, D, c.Vocab, false)
		}
		hidden = append(hidden, h)
		logits = append(logits, lg)
	}
	return hidden, logits
}

func (r *refModel) loss(tokens []int) float64 {
	_, logits := r.forward(tokens)
	var sum float64
	for t := 0; t+1 < len(tokens); t++ {
		m := math.Inf(-1)
		for _, v := range logits[t] {
			m = math.Max(m, v)
		}
		var z float64
		for _, v := range logits[t] {
			z += math.Exp(v - m)
		}
		sum += m + math.Log(z) - logits[t][tokens[t+1]]
	}
	return sum / float64(len(tokens)-1)
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
