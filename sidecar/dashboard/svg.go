package dashboard

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// The charts are drawn here as inline SVG so the browser needs no chart library
// and they show with JavaScript off. Every text is escaped; every number is
// clamped so bad data draws an empty chart rather than broken markup.

// Bar is one bar of a BarChart.
type Bar struct {
	Label string
	Value float64
	// Text is what the bar says instead of its value ("70%"); "" prints the value.
	Text string
}

// BarChart draws horizontal bars scaled to max (the largest value when max <= 0),
// with an optional vertical rule at line (e.g. the 2/3 fraud line; < 0: none).
func BarChart(bars []Bar, max, line float64, lineLabel string) template.HTML {
	if max <= 0 {
		for _, b := range bars {
			max = math.Max(max, finite(b.Value))
		}
	}
	if max <= 0 {
		max = 1
	}
	const w, rowH, labelW = 360.0, 22.0, 110.0
	h := rowH*float64(len(bars)) + 8
	if line >= 0 {
		h += 14
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart bar" viewBox="0 0 %g %g" role="img" preserveAspectRatio="xMinYMin meet">`, w, h)
	span := w - labelW - 50
	for i, b := range bars {
		v := clamp(finite(b.Value)/max, 0, 1)
		text := b.Text
		if text == "" {
			text = fmtNum(b.Value)
		}
		y := 4 + rowH*float64(i)
		fmt.Fprintf(&sb, `<text x="0" y="%g" class="lbl">%s</text>`, y+14, esc(b.Label))
		fmt.Fprintf(&sb, `<rect x="%g" y="%g" width="%.1f" height="%g" class="b%d"><title>%s: %s</title></rect>`,
			labelW, y+3, span*v, rowH-8, i%4, esc(b.Label), esc(text))
		fmt.Fprintf(&sb, `<text x="%.1f" y="%g" class="val">%s</text>`, labelW+span*v+4, y+14, esc(text))
	}
	if line >= 0 {
		x := labelW + span*clamp(line/max, 0, 1)
		fmt.Fprintf(&sb, `<line x1="%.1f" y1="0" x2="%.1f" y2="%g" class="rule"/><text x="%.1f" y="%g" class="lbl">%s</text>`,
			x, x, h-14, x, h-2, esc(lineLabel))
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// Series is one line of a LineChart.
type Series struct {
	Name   string
	Points []float64
}

// LineChart draws series over shared x labels, y from 0 to the largest point.
func LineChart(series []Series, xLabels []string) template.HTML {
	const w, h, pad = 360.0, 160.0, 24.0
	n := len(xLabels)
	for _, s := range series {
		n = max(n, len(s.Points))
	}
	top := 0.0
	for _, s := range series {
		for _, p := range s.Points {
			top = math.Max(top, finite(p))
		}
	}
	if top <= 0 {
		top = 1
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart line" viewBox="0 0 %g %g" role="img" preserveAspectRatio="xMinYMin meet">`, w, h+pad)
	fmt.Fprintf(&sb, `<line x1="%g" y1="%g" x2="%g" y2="%g" class="axis"/><text x="0" y="12" class="lbl">%s</text>`, pad, h, w, h, fmtNum(top))
	x := func(i int) float64 {
		if n <= 1 {
			return pad
		}
		return pad + (w-pad-4)*float64(i)/float64(n-1)
	}
	for si, s := range series {
		var pts []string
		for i, p := range s.Points {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), h-(h-16)*clamp(finite(p)/top, 0, 1)))
		}
		if len(pts) > 0 {
			fmt.Fprintf(&sb, `<polyline points="%s" class="s%d"><title>%s</title></polyline>`, strings.Join(pts, " "), si%4, esc(s.Name))
		}
	}
	// About six labels: the first anchored at its start, the last (always drawn)
	// at its end so it stays inside the chart, the others centred; a stepped label
	// too close to the last is left out rather than drawn over it.
	last := len(xLabels) - 1
	step := max(1, n/6)
	for i := 0; i <= last; i += step {
		if i > 0 && last-i < (step+1)/2 {
			break
		}
		anchor := "middle"
		if i == 0 {
			anchor = "start"
		}
		if i != last {
			fmt.Fprintf(&sb, `<text x="%.1f" y="%g" class="lbl" text-anchor="%s">%s</text>`, x(i), h+16, anchor, esc(xLabels[i]))
		}
	}
	if last >= 0 {
		anchor := "end"
		if last == 0 {
			anchor = "start"
		}
		fmt.Fprintf(&sb, `<text x="%.1f" y="%g" class="lbl" text-anchor="%s">%s</text>`, x(last), h+16, anchor, esc(xLabels[last]))
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// HeatRow is one row of a Heatmap; a NaN cell is a period with no record.
type HeatRow struct {
	Label string
	Cells []float64 // each in [0, 1]
}

// Heatmap draws rows of cells shaded by value (0 light, 1 dark), one column per
// x label: the nodes' total scores per period (each cell's title as a percentage).
func Heatmap(rows []HeatRow, xLabels []string) template.HTML {
	const cell, labelW = 18.0, 90.0
	cols := len(xLabels)
	for _, r := range rows {
		cols = max(cols, len(r.Cells))
	}
	w := labelW + cell*float64(cols) + 4
	h := cell*float64(len(rows)) + 20
	var sb strings.Builder
	// Drawn at its natural size (cells stay 18 px), shrunk only on narrow screens.
	fmt.Fprintf(&sb, `<svg class="chart heat" viewBox="0 0 %g %g" width="%g" height="%g" role="img" preserveAspectRatio="xMinYMin meet">`, w, h, w, h)
	for ri, r := range rows {
		y := cell * float64(ri)
		fmt.Fprintf(&sb, `<text x="0" y="%g" class="lbl">%s</text>`, y+13, esc(r.Label))
		for ci, v := range r.Cells {
			x := labelW + cell*float64(ci)
			if math.IsNaN(v) {
				fmt.Fprintf(&sb, `<rect x="%g" y="%g" width="%g" height="%g" class="none"/>`, x, y+1, cell-2, cell-2)
				continue
			}
			v = clamp(finite(v), 0, 1)
			label := ""
			if ci < len(xLabels) {
				label = xLabels[ci]
			}
			fmt.Fprintf(&sb, `<rect x="%g" y="%g" width="%g" height="%g" fill="hsl(210,70%%,%.0f%%)"><title>%s %s: %s</title></rect>`,
				x, y+1, cell-2, cell-2, 92-62*v, esc(r.Label), esc(label), fmtShare(v))
		}
	}
	for ci, l := range xLabels {
		fmt.Fprintf(&sb, `<text x="%g" y="%g" class="lbl sm">%s</text>`, labelW+cell*float64(ci), h-4, esc(l))
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

func esc(s string) string { return template.HTMLEscapeString(s) }

func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

func clamp(v, lo, hi float64) float64 { return math.Min(hi, math.Max(lo, v)) }

// fmtNum prints up to 4 significant decimals without trailing zeros.
func fmtNum(v float64) string {
	s := fmt.Sprintf("%.4f", finite(v))
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return s
}
