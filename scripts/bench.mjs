// Benchmarks compare deploy-kit with a baseline measured in the same run.
// The first ones (rolling deploys, SSH overhead, fan-out, cold start) come
// with the deploy strategies.
console.log('no benchmarks yet')
