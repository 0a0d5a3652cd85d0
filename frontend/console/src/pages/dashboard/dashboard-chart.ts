// ECharts with only the parts the dashboard draws. Its own chunk, loaded beside the dashboard's
// data request: the cards paint without waiting for the charting library (~150 kB gzip).
import { use, init } from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

use([LineChart, BarChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

export { init };
