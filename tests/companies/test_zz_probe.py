import pytest
from tests.factories import CompanyFactory, FreelancerProfileFactory

@pytest.mark.parametrize("url", [
    "/api/v1/companies/?page=0", "/api/v1/companies/?page=abc", "/api/v1/companies/?page_size=-1",
    "/api/v1/companies/?verified=maybe", "/api/v1/companies/?verified=1", "/api/v1/companies/?q=" + "a"*101,
    "/api/v1/freelancers/?min_rate=1e400", "/api/v1/freelancers/?max_rate=NaN", "/api/v1/freelancers/?min_rate=Infinity",
    "/api/v1/freelancers/?ordering=-rate", "/api/v1/freelancers/?skills=" + ","*50, "/api/v1/freelancers/?min_rate=1.5",
    "/api/v1/freelancers/?min_rate=%00", "/api/v1/companies/?city=%00", "/api/v1/freelancers/?q=%00",
    "/api/v1/freelancers/?skills=a%00b",
    "/api/v1/freelancers/?min_rate=99999999999999999999999999",
])
def test_probe(api, db, url):
    CompanyFactory(); FreelancerProfileFactory()
    r = api.get(url)
    print(url[:80], r.status_code, r.content[:300])
