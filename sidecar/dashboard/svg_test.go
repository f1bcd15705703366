package dashboard

import (
	"math"
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
