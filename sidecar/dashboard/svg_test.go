package dashboard

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBarChartScalesEscapesAndDrawsTheLine(t *testing.T) {
	svg := string(BarChart([]Bar{{Label: "<a>", Value: 5}, {Label: "b", Value: 10}}, 0, 2.0/3*10, "2/3"))
	require.True(t, strings.HasPrefix(svg, "<svg") && strings.HasSuffix(svg, "</svg>"))
	require.Contains(t, svg, "&lt;a&gt;")
	require.NotContains(t, svg, "<a>")
	// The largest bar spans the whole width (200 units), the other half of it.
	require.Contains(t, svg, `width="200.0"`)
	require.Contains(t, svg, `width="100.0"`)
	require.Contains(t, svg, `class="rule"`)
	require.Contains(t, svg, `x1="243.3"`) // 110 + 200 × 2/3
}

func TestChartsSurviveBadNumbers(t *testing.T) {
	svg := string(BarChart([]Bar{{Label: "nan", Value: math.NaN()}, {Label: "inf", Value: math.Inf(1)}, {Label: "neg", Value: -3}}, 0, -1, ""))
	require.NotContains(t, svg, "NaN")
	require.NotContains(t, svg, "Inf")
	require.NotContains(t, svg, `class="rule"`)
	line := string(LineChart([]Series{{Name: "x", Points: []float64{math.NaN(), 1, 2}}}, []string{"1", "2", "3"}))
	require.NotContains(t, line, "NaN")
	require.Equal(t, 3, len(strings.Fields(line[strings.Index(line, `points="`)+8:strings.Index(line, `" class="s0"`)])))
	require.Contains(t, string(LineChart(nil, nil)), "</svg>")
}

func TestHeatmapShadesAndBlanks(t *testing.T) {
	svg := string(Heatmap([]HeatRow{{Label: "n<1>", Cells: []float64{0, 1, math.NaN()}}}, []string{"4", "5", "6"}))
	require.Contains(t, svg, "n&lt;1&gt;")
	require.Contains(t, svg, "hsl(210,70%,92%)") // 0: lightest
	require.Contains(t, svg, "hsl(210,70%,30%)") // 1: darkest
	require.Equal(t, 1, strings.Count(svg, `class="none"`))
}

// TestLineChartLastLabelInside: the last x label (the newest period) is always drawn
// and ends at its point, inside the chart, instead of starting there and being
// clipped at the right edge.
func TestLineChartLastLabelInside(t *testing.T) {
	labelRE := regexp.MustCompile(`<text x="([0-9.]+)" y="[0-9.]+" class="lbl" text-anchor="(\w+)">([^<]*)</text>`)
	for _, n := range []int{1, 2, 5, 7, 12, 13, 30} {
		var labels []string
		var pts []float64
		for i := range n {
			labels = append(labels, "period "+strconv.Itoa(100+i))
			pts = append(pts, float64(i%11))
		}
		svg := string(LineChart([]Series{{Name: "level", Points: pts}}, labels))
		got := labelRE.FindAllStringSubmatch(svg, -1)
		require.NotEmpty(t, got, "n=%d", n)
		lastLabel := got[len(got)-1]
		require.Equal(t, labels[n-1], lastLabel[3], "n=%d: the last label is drawn", n)
		if n > 1 {
			require.Equal(t, "end", lastLabel[2], "n=%d", n)
		}
		x, err := strconv.ParseFloat(lastLabel[1], 64)
		require.NoError(t, err)
		require.LessOrEqual(t, x, 360.0, "n=%d: inside the 360-unit view box", n)
		require.LessOrEqual(t, len(got), 8, "n=%d: about six labels", n)
		seen := map[string]bool{}
		for _, g := range got {
			require.False(t, seen[g[3]], "n=%d: %s drawn twice", n, g[3])
			seen[g[3]] = true
		}
	}
}
