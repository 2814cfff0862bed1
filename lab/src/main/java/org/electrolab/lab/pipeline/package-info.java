/**
 * What experiments (experiment/) and fault campaigns (faults/) share, so that neither uses the
 * other: the results directory's name, the run ids, the plan keys and their exception, the offload
 * sets, the netns cluster, the environment facts and the progress line. It uses neither pipeline
 * (docs/architecture.md, "Packages inside lab/"; LayeringTest).
 */
package org.electrolab.lab.pipeline;
